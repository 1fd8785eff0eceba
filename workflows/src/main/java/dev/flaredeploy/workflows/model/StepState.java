package dev.flaredeploy.workflows.model;

/**
 * The states of one step (or compensation) of a run, as {@link StepReport#state} carries them: the names
 * are the contract shown in status, JSON and the UI.
 */
public enum StepState {
  /** started and not finished */
  RUNNING,
  SUCCEEDED,
  FAILED,
  /** the run was cancelled while the step ran */
  CANCELLED,
  /** a person rejected the plan the step waited on (wait-for-approval) */
  REJECTED,
  /** nobody decided within the step's time (wait-for-approval) */
  EXPIRED,
  /** decided without running (nothing to migrate, a restore the policy keeps) */
  SKIPPED
}
