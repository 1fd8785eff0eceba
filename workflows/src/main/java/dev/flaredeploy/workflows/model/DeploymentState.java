package dev.flaredeploy.workflows.model;

/** The states a deployment is in; the names are the contract shown in status, JSON and the UI. */
public enum DeploymentState {
  RUNNING,
  SUCCEEDED,
  /** failed, and what it had changed was undone */
  ROLLED_BACK,
  /** cancelled by a person; what it had changed was undone */
  CANCELLED,
  /** failed, and a compensation did not complete: a person must act */
  NEEDS_ATTENTION,
  /** failed before it changed anything */
  FAILED
}
