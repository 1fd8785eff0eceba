package dev.flaredeploy.workflows.model;

/**
 * The states of a fleet member; the names are the contract shown in status and JSON. The end states of a
 * member that ran are its deployment's ({@link DeploymentState}).
 */
public enum FleetMemberState {
  /** not started yet */
  PENDING,
  /** its deployment runs */
  RUNNING,
  /**
   * its deployment runs and waits for a person to approve its plan ({@code [approval]}): approve it by the member's
   * own id. The fleet itself only knows it as RUNNING (the state is read from the member's own run), and it counts
   * as running for the waves and the failure budget
   */
  WAITING_FOR_APPROVAL,
  SUCCEEDED,
  /** its deployment failed and undid what it had changed */
  ROLLED_BACK,
  /** its deployment (or its checks) failed before it changed anything, or it could not start */
  FAILED,
  /** its deployment was cancelled and undid what it had changed */
  CANCELLED,
  /** its deployment failed and a compensation did not complete: a person must act */
  NEEDS_ATTENTION,
  /** never started: the failure budget was spent, a member it binds did not succeed, or the fleet was cancelled */
  SKIPPED,
  /** a person rejected its plan: it ended with nothing changed */
  REJECTED,
  /** nobody approved its plan in time: it ended with nothing changed */
  APPROVAL_EXPIRED;

  /**
   * A member in one of these states counts against the failure budget. A rejected or expired approval counts too:
   * the rest of the fleet would mostly bring the same plan, so it stops unless {@code --max-failures} allows it.
   */
  public boolean failed() {
    return this == ROLLED_BACK || this == FAILED || this == CANCELLED || this == NEEDS_ATTENTION || this == REJECTED
        || this == APPROVAL_EXPIRED;
  }

  /** It will not change any more. */
  public boolean ended() {
    return this != PENDING && this != RUNNING && this != WAITING_FOR_APPROVAL;
  }
}
