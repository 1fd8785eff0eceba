package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * {@code [approval]} of an environment: the deployment waits after its checks until a person approves the
 * plan it shows (by its digest), rejects it, or the wait times out.
 *
 * @param required whether deployments of this environment wait for an approval
 * @param timeoutMillis how long one wait lasts before the run ends as APPROVAL_EXPIRED (default 24 h)
 * @param approvers who may approve or reject ({@code user} or {@code user@host}, as the CLI names whoever runs
 *     it); empty: anyone who can reach the Temporal namespace
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApprovalSettings(boolean required, long timeoutMillis, List<String> approvers) {
  public static final long DEFAULT_TIMEOUT_MILLIS = 24 * 3_600_000L;

  public ApprovalSettings {
    approvers = approvers == null ? List.of() : List.copyOf(approvers);
  }

  /**
   * Whether {@code who} ({@code user@host}) may decide: anyone when no approvers are listed, else a listed
   * {@code user@host}, or a listed {@code user} from any host.
   */
  public boolean allows(String who) {
    if (approvers.isEmpty()) {
      return true;
    }
    if (who == null || who.isBlank()) {
      return false;
    }
    String user = who.contains("@") ? who.substring(0, who.indexOf('@')) : who;
    return approvers.contains(who) || approvers.contains(user);
  }
}
