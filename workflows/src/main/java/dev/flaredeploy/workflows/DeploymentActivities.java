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
import dev.flaredeploy.workflows.model.ShiftOutcome;
import dev.flaredeploy.workflows.model.SmokeOutcome;
import dev.flaredeploy.workflows.model.TrafficShift;
import dev.flaredeploy.workflows.model.UploadedVersion;
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

  // ---- a gradual rollout ([rollout]) in place of deploy-worker; compensated by rollbackWorker ----

  /**
   * Uploads the plan's source as a new version without giving it traffic. Idempotent: a version already
   * tagged with the source id is reused, not uploaded again. Targets that cannot split traffic fail with
   * {@link FailureTypes#CONFIG_INVALID}.
   */
  @ActivityMethod(name = Steps.UPLOAD_VERSION)
  UploadedVersion uploadVersion(DeploymentPlan plan);

  /**
   * Puts the split {@code shift} describes in place. Idempotent: does nothing when that split already
   * serves.
   */
  @ActivityMethod(name = Steps.SHIFT_TRAFFIC)
  ShiftOutcome shiftTraffic(DeploymentPlan plan, TrafficShift shift);

  /**
   * Runs the smoke checks against {@code version} only, whatever share of the traffic it has (Cloudflare:
   * the {@code Cloudflare-Workers-Version-Overrides} header; the version must be in the current deployment,
   * at 0 % or more), until all pass or the smoke timeout passes ({@link FailureTypes#SMOKE_TEST_FAILED}).
   * Read-only.
   */
  @ActivityMethod(name = Steps.SMOKE_TEST_VERSION)
  SmokeOutcome smokeTestVersion(DeploymentPlan plan, UploadedVersion version);

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
