package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The approval gate of a run, as {@code status} and the report show it.
 *
 * @param state {@code WAITING} (a digest waits for a decision), {@code APPROVED}, {@code REJECTED} or {@code
 *     EXPIRED}
 * @param plan what waits (or was approved): the digest and what it covers
 * @param why why it asks: the first time, that the environment requires an approval; after a change, what
 *     changed while it waited
 * @param waitingSince when the current wait began (ISO-8601)
 * @param expiresAt when the current wait ends without a decision (ISO-8601)
 * @param approvers who may decide; empty: anyone
 * @param decisions every decision so far, oldest first
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApprovalReport(
    String state,
    PlanDigest plan,
    String why,
    String waitingSince,
    String expiresAt,
    List<String> approvers,
    List<ApprovalRecord> decisions) {
  public static final String WAITING = "WAITING";
  public static final String APPROVED = "APPROVED";
  public static final String REJECTED = "REJECTED";
  public static final String EXPIRED = "EXPIRED";
}
