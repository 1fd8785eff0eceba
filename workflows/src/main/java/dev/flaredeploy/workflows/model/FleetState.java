package dev.flaredeploy.workflows.model;

/** The states of a fleet run; the names are the contract shown in status, JSON and the UI. */
public enum FleetState {
  RUNNING,
  /** every member succeeded */
  SUCCEEDED,
  /** a member failed or was skipped, and every member that changed something undid it */
  FAILED,
  /** cancelled by a person: running members undid what they had changed, the rest were skipped */
  CANCELLED,
  /** a member's compensation did not complete: a person must act */
  NEEDS_ATTENTION
}
