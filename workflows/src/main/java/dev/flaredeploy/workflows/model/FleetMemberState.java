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
  SKIPPED;

  /** A member in one of these states counts against the failure budget. */
  public boolean failed() {
    return this == ROLLED_BACK || this == FAILED || this == CANCELLED || this == NEEDS_ATTENTION;
  }

  /** It will not change any more. */
  public boolean ended() {
    return this != PENDING && this != RUNNING;
  }
}
