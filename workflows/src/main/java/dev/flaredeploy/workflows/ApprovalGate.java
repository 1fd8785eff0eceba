package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.model.ApprovalDecision;
import dev.flaredeploy.workflows.model.ApprovalOutcome;
import dev.flaredeploy.workflows.model.ApprovalRecord;
import dev.flaredeploy.workflows.model.ApprovalReport;
import dev.flaredeploy.workflows.model.ApprovalSettings;
import dev.flaredeploy.workflows.model.PlanDigest;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The durable wait for a person to approve a plan by its digest: workflow code, reusable by any workflow that
 * gates on a plan (a deployment, a fleet). The owner opens the gate with the digest it shows ({@link #await}),
 * routes its approve and reject updates and their validators here, and, after an approval, says what the
 * re-run checks found ({@link #settle}).
 *
 * <p>The validators refuse, without any trace in the history: an approve or reject while nothing waits (or
 * while an approval is being checked), a digest that is not the one waiting, and anyone not in {@code
 * approvers}. Time comes from {@code Workflow.currentTimeMillis}; the wait is a durable timer, so it survives
 * any number of worker restarts.
 */
public final class ApprovalGate {
  /** What ended one wait. */
  public enum Result { APPROVED, REJECTED, EXPIRED }

  /** One wait's end: the result, and the decision when a person made one (null when it expired). */
  public record Decision(Result result, ApprovalDecision decision) {}

  /** Why an approve or reject was refused: a type from {@link FailureTypes} and the message for a person. */
  public record Refusal(String type, String message) {
    private static final java.util.regex.Pattern PREFIX = java.util.regex.Pattern.compile("(?s)^\\[(\\w+)\\] (.*)$");

    /**
     * The refusal a failed update carries, from anywhere in its causes. The SDK (1.38) replaces the type of a
     * validator's failure with its own, so the type also travels as the message's {@code [Type]} prefix.
     */
    public static java.util.Optional<Refusal> of(Throwable updateFailure) {
      for (Throwable t = updateFailure; t != null; t = t.getCause()) {
        if (t instanceof ApplicationFailure af) {
          var m = PREFIX.matcher(af.getOriginalMessage() == null ? "" : af.getOriginalMessage());
          if (m.matches()) {
            return java.util.Optional.of(new Refusal(m.group(1), m.group(2)));
          }
        }
      }
      return java.util.Optional.empty();
    }
  }

  /** A validator's refusal: its type both as the failure type and as the message's {@code [Type]} prefix. */
  static ApplicationFailure refusal(String type, String message) {
    return ApplicationFailure.newNonRetryableFailure("[" + type + "] " + message, type);
  }

  private final ApprovalSettings settings;
  private final List<ApprovalRecord> decisions = new ArrayList<>();
  private PlanDigest waiting;
  private String why;
  private String waitingSince;
  private String expiresAt;
  private String state;
  private PlanDigest lastShown;
  /** set by an update handler, taken by {@link #await} */
  private Decision pending;
  /** what the re-run checks found after each approval, in order: the approve handler of the n-th waits on it */
  private final List<ApprovalOutcome> settled = new ArrayList<>();
  private int approvals;
  private boolean deciding;

  public ApprovalGate(ApprovalSettings settings) {
    this.settings = settings;
  }

  /**
   * Waits until {@code digest} is approved or rejected, or the timeout passes. Between {@code open} and the
   * return the gate is open: {@link #report} says WAITING, and {@code onOpen} has run (publish the state and
   * notify there).
   *
   * @param why why it asks, for a person (the first time: the environment requires it; after a change: what
   *     changed)
   */
  public Decision await(PlanDigest digest, String why, Runnable onOpen) {
    long now = Workflow.currentTimeMillis();
    this.waiting = digest;
    this.lastShown = digest;
    this.why = why;
    this.waitingSince = Instant.ofEpochMilli(now).toString();
    this.expiresAt = Instant.ofEpochMilli(now + settings.timeoutMillis()).toString();
    this.state = ApprovalReport.WAITING;
    this.pending = null;
    onOpen.run();
    boolean decided = Workflow.await(Duration.ofMillis(settings.timeoutMillis()), () -> pending != null);
    PlanDigest decidedOn = waiting;
    waiting = null;
    if (!decided) {
      state = ApprovalReport.EXPIRED;
      decisions.add(new ApprovalRecord("expired", null, now(), decidedOn.value(), "nobody decided within "
          + Duration.ofMillis(settings.timeoutMillis()).toString().substring(2).toLowerCase()));
      return new Decision(Result.EXPIRED, null);
    }
    Decision decision = pending;
    boolean approved = decision.result() == Result.APPROVED;
    state = approved ? ApprovalReport.APPROVED : ApprovalReport.REJECTED;
    decisions.add(new ApprovalRecord(approved ? "approved" : "rejected", decision.decision().by(), now(),
        decidedOn.value(), blankToNull(decision.decision().reason())));
    deciding = approved;
    return decision;
  }

  /** After an approval: what the re-run checks found; the approve update returns it. */
  public void settle(ApprovalOutcome outcome) {
    deciding = false;
    settled.add(outcome);
  }

  // ---- the updates ------------------------------------------------------------------------------

  public void validateApprove(ApprovalDecision decision) {
    requireWaiting("approve");
    requireApprover(decision);
    if (!waiting.matches(decision.digest())) {
      throw refusal(FailureTypes.STALE_DIGEST, "digest " + (decision.digest() == null ? "(none)"
              : decision.digest()) + " is not the plan waiting for approval: " + waiting.value()
              + " waits now (" + why + "); look at it with `flaredeploy status " + Workflow.getInfo().getWorkflowId()
              + "` and approve that digest if it is what you mean; nothing was changed");
    }
  }

  /** Records the approval, then waits for the checks to run again and returns what they found. */
  public ApprovalOutcome approve(ApprovalDecision decision) {
    pending = new Decision(Result.APPROVED, decision);
    int ticket = ++approvals;
    Workflow.await(() -> settled.size() >= ticket);
    return settled.get(ticket - 1);
  }

  public void validateReject(ApprovalDecision decision) {
    requireWaiting("reject");
    requireApprover(decision);
    if (decision.reason() == null || decision.reason().isBlank()) {
      throw refusal(FailureTypes.NOT_WAITING_FOR_APPROVAL, "a rejection needs a reason (--reason TEXT); nothing was "
          + "changed");
    }
  }

  public ApprovalOutcome reject(ApprovalDecision decision) {
    String digest = waiting == null ? null : waiting.value();
    pending = new Decision(Result.REJECTED, decision);
    return new ApprovalOutcome(ApprovalOutcome.REJECTED, digest,
        "rejected by " + decision.by() + ": " + decision.reason() + "; the deployment ends with nothing changed");
  }

  private void requireWaiting(String what) {
    if (waiting == null || pending != null || deciding) {
      String now = deciding || pending != null
          ? "it was just approved and is running its checks again"
          : state == null ? "it has not reached its approval yet (or needs none)"
          : "its approval is " + state.toLowerCase();
      throw refusal(FailureTypes.NOT_WAITING_FOR_APPROVAL, Workflow.getInfo().getWorkflowId() + " is not waiting for an "
          + "approval: " + now + "; nothing to " + what + " (see `flaredeploy status "
          + Workflow.getInfo().getWorkflowId() + "`)");
    }
  }

  private void requireApprover(ApprovalDecision decision) {
    if (!settings.allows(decision.by())) {
      throw refusal(FailureTypes.NOT_AN_APPROVER, decision.by() + " may not decide on this deployment: the "
          + "approvers of this environment are " + String.join(", ", settings.approvers()) + " ([approval] approvers "
          + "in flaredeploy.toml); nothing was changed");
    }
  }

  /** The gate as the report shows it; null before it was first opened. */
  public ApprovalReport report() {
    if (state == null) {
      return null;
    }
    boolean open = ApprovalReport.WAITING.equals(state);
    return new ApprovalReport(state, lastShown, why, open ? waitingSince : null, open ? expiresAt : null,
        settings.approvers(), List.copyOf(decisions));
  }

  private static String now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
