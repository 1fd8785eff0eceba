package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What an approve or reject update led to.
 *
 * @param result {@link #PROCEEDING} (the checks ran again and found the same plan), {@link #ASKING_AGAIN}
 *     (the plan changed while it waited: a new digest waits for a new approval), {@link #REJECTED}, or {@link
 *     #ENDED} (the run ended while the checks ran again, e.g. they blocked it)
 * @param digest the digest that is now approved, or that waits now
 * @param detail for a person: what changed, or what happens next
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApprovalOutcome(String result, String digest, String detail) {
  public static final String PROCEEDING = "PROCEEDING";
  public static final String ASKING_AGAIN = "ASKING_AGAIN";
  public static final String REJECTED = "REJECTED";
  public static final String ENDED = "ENDED";
}
