package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.model.Checkpoint;
import dev.flaredeploy.workflows.model.CompensationOutcome;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.MigrationOutcome;
import dev.flaredeploy.workflows.model.Release;
import dev.flaredeploy.workflows.model.RestorePoint;
import dev.flaredeploy.workflows.model.SchemaReport;
import dev.flaredeploy.workflows.model.SmokeOutcome;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * What the deployment asks of the world. The activity names are the step names users see in the
 * Temporal UI, {@code flaredeploy status} and JSON.
 *
 * <p>Every method may run more than once (a retry after a crash) and must look before it acts. Failures a
 * retry cannot fix are thrown as non-retryable {@code ApplicationFailure}s with a type from {@link
 * FailureTypes} and a message that says what was observed and what to do.
 */
@ActivityInterface
public interface DeploymentActivities {

  /** Pins the source (content-hashed snapshot), reads the config of the environment, lists migrations. */
  @ActivityMethod(name = Steps.PREPARE)
  DeploymentPlan prepare(DeploymentRequest request);

  /** Reads applied migrations from each ledger, computes pending ones, reads the live release. Read-only. */
  @ActivityMethod(name = Steps.VALIDATE_SCHEMA)
  SchemaReport validateSchema(DeploymentPlan plan);

  /** Takes a restore point per database and records the live release. Changes nothing. */
  @ActivityMethod(name = Steps.CHECKPOINT)
  Checkpoint checkpoint(DeploymentPlan plan);

  /**
   * Applies the pending migrations of one binding, each atomically with its ledger row. Applies only what
   * the ledger still lacks. A migration that fails: non-retryable {@link FailureTypes#MIGRATION_FAILED}.
   * Compensated by {@link #restoreDatabase}.
   */
  @ActivityMethod(name = Steps.APPLY_MIGRATIONS)
  MigrationOutcome applyMigrations(DeploymentPlan plan, DatabasePlan database);

  /** Puts the snapshot live (no-op when it already is). Compensated by {@link #rollbackWorker}. */
  @ActivityMethod(name = Steps.DEPLOY_WORKER)
  Release deployWorker(DeploymentPlan plan);

  /**
   * Runs the smoke checks against the release until all pass or the smoke timeout passes
   * ({@link FailureTypes#SMOKE_TEST_FAILED}, non-retryable).
   */
  @ActivityMethod(name = Steps.SMOKE_TEST)
  SmokeOutcome smokeTest(DeploymentPlan plan, Release release);

  /**
   * Puts {@code previousVersion} live again; with null (nothing was live before) stops what this
   * deployment released. Idempotent: checks what is live first.
   */
  @ActivityMethod(name = Steps.ROLLBACK_WORKER)
  CompensationOutcome rollbackWorker(DeploymentPlan plan, String previousVersion);

  /** Puts one database back to its restore point. Idempotent. */
  @ActivityMethod(name = Steps.RESTORE_DATABASE)
  CompensationOutcome restoreDatabase(DeploymentPlan plan, RestorePoint restorePoint);
}
