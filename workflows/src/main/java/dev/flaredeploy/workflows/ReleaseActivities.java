package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.model.ReleaseRecord;
import dev.flaredeploy.workflows.model.RollbackPlan;
import dev.flaredeploy.workflows.model.RollbackRequest;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The release journal of each environment (in the flaredeploy home of the worker), and what a rollback works
 * out from it.
 */
@ActivityInterface
public interface ReleaseActivities {

  /**
   * Appends {@code record} to its environment's journal, with the target's version id of the release that is
   * live now. Idempotent: a run already recorded is not recorded twice.
   */
  @ActivityMethod(name = Steps.RECORD_RELEASE)
  ReleaseRecord recordRelease(ReleaseRecord record);

  /**
   * What the rollback will do: the release to put live, the restore points to go back to. Read-only. Refuses
   * (non-retryable {@link FailureTypes#ROLLBACK_REFUSED}) a release that is not in the journal or no longer kept,
   * and with {@code restoreDatabase} a database that moved on since the undone deployment.
   */
  @ActivityMethod(name = Steps.PLAN_ROLLBACK)
  RollbackPlan planRollback(RollbackRequest request);
}
