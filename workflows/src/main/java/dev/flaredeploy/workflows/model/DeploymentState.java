package dev.flaredeploy.workflows.model;

/** The states a deployment is in; the names are the contract shown in status, JSON and the UI. */
public enum DeploymentState {
  RUNNING,
  /** the checks ran and the plan waits for a person to approve its digest (nothing has changed yet) */
  WAITING_FOR_APPROVAL,
  SUCCEEDED,
  /** failed, and what it had changed was undone */
  ROLLED_BACK,
  /** cancelled by a person; what it had changed was undone */
  CANCELLED,
  /** failed, and a compensation did not complete: a person must act */
  NEEDS_ATTENTION,
  /** failed before it changed anything */
  FAILED,
  /** a person rejected the plan while it waited for approval; nothing was changed */
  REJECTED,
  /** nobody decided within the approval timeout; nothing was changed */
  APPROVAL_EXPIRED;

  /** Whether a run in this state has ended. */
  public boolean ended() {
    return this != RUNNING && this != WAITING_FOR_APPROVAL;
  }
}
