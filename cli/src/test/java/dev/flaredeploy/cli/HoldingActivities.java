package dev.flaredeploy.cli;

import dev.flaredeploy.workflows.DeploymentActivities;
import dev.flaredeploy.workflows.Steps;
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
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Supplier;

/**
 * TEST ONLY: the real activities, except that one step holds: it writes {@code holding <step>} to a
 * marker file and then blocks, heartbeating, until the process is killed. {@link When#BEFORE} holds
 * before the real step runs (the worker dies before the step did anything); {@link When#AFTER} holds
 * after it ran (the step's effect is in the world, but Temporal never hears of it: its retry must cope).
 *
 * <p>rollback-worker and restore-database are only ever called as compensations, so holding in them holds
 * the compensation. Only the first call of the step holds; the process is expected to die in it.
 */
final class HoldingActivities implements DeploymentActivities {
  enum When { BEFORE, AFTER }

  private final DeploymentActivities real;
  private final String step;
  private final When when;
  private final Path marker;
  private volatile boolean held;

  HoldingActivities(DeploymentActivities real, String step, When when, Path marker) {
    this.real = real;
    this.step = step;
    this.when = when;
    this.marker = marker;
  }

  @Override
  public DeploymentPlan prepare(DeploymentRequest request) {
    return around(Steps.PREPARE, () -> real.prepare(request));
  }

  @Override
  public SchemaReport validateSchema(DeploymentPlan plan) {
    return around(Steps.VALIDATE_SCHEMA, () -> real.validateSchema(plan));
  }

  @Override
  public Checkpoint checkpoint(DeploymentPlan plan) {
    return around(Steps.CHECKPOINT, () -> real.checkpoint(plan));
  }

  @Override
  public MigrationOutcome applyMigrations(DeploymentPlan plan, DatabasePlan database) {
    return around(Steps.APPLY_MIGRATIONS, () -> real.applyMigrations(plan, database));
  }

  @Override
  public Release deployWorker(DeploymentPlan plan) {
    return around(Steps.DEPLOY_WORKER, () -> real.deployWorker(plan));
  }

  @Override
  public SmokeOutcome smokeTest(DeploymentPlan plan, Release release) {
    return around(Steps.SMOKE_TEST, () -> real.smokeTest(plan, release));
  }

  @Override
  public UploadedVersion uploadVersion(DeploymentPlan plan) {
    return around(Steps.UPLOAD_VERSION, () -> real.uploadVersion(plan));
  }

  @Override
  public ShiftOutcome shiftTraffic(DeploymentPlan plan, TrafficShift shift) {
    return around(Steps.SHIFT_TRAFFIC, () -> real.shiftTraffic(plan, shift));
  }

  @Override
  public SmokeOutcome smokeTestVersion(DeploymentPlan plan, UploadedVersion version) {
    return around(Steps.SMOKE_TEST_VERSION, () -> real.smokeTestVersion(plan, version));
  }

  @Override
  public CompensationOutcome rollbackWorker(DeploymentPlan plan, String previousVersion) {
    return around(Steps.ROLLBACK_WORKER, () -> real.rollbackWorker(plan, previousVersion));
  }

  @Override
  public CompensationOutcome restoreDatabase(DeploymentPlan plan, RestorePoint restorePoint) {
    return around(Steps.RESTORE_DATABASE, () -> real.restoreDatabase(plan, restorePoint));
  }

  private <T> T around(String name, Supplier<T> action) {
    boolean hold = name.equals(step) && !held;
    if (hold && when == When.BEFORE) {
      hold(name);
    }
    T result = action.get();
    if (hold && when == When.AFTER) {
      hold(name);
    }
    return result;
  }

  /** Announces the hold, then heartbeats (so the step stays ours) until the process is killed. */
  private void hold(String name) {
    held = true;
    ActivityExecutionContext context = Activity.getExecutionContext();
    try {
      Path partial = marker.resolveSibling(marker.getFileName() + ".partial");
      Files.writeString(partial, "holding " + name + " " + when.name().toLowerCase() + " attempt "
          + context.getInfo().getAttempt() + "\n");
      Files.move(partial, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.err.println("holding " + name + " (" + when.name().toLowerCase() + " it ran) until killed");
    while (true) {
      context.heartbeat(null);
      try {
        Thread.sleep(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while holding " + name, e);
      }
    }
  }
}
