package dev.flaredeploy.activities;

import dev.flaredeploy.activities.cloudflare.CloudflareException;
import dev.flaredeploy.activities.config.ConfigException;
import dev.flaredeploy.activities.config.LoadedProject;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.gate.Gate;
import dev.flaredeploy.activities.local.D1CommandException;
import dev.flaredeploy.activities.local.LocalDatabaseConflictException;
import dev.flaredeploy.activities.local.LocalReleaseException;
import dev.flaredeploy.activities.local.MigrationFailedException;
import dev.flaredeploy.activities.process.Concurrently;
import dev.flaredeploy.activities.process.ProcessRunner.ProcessTimeoutException;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.smoke.SmokeChecker;
import dev.flaredeploy.activities.smoke.SmokeTestFailedException;
import dev.flaredeploy.activities.source.SourceException;
import dev.flaredeploy.activities.source.SourceSnapshots;
import dev.flaredeploy.workflows.DeploymentActivities;
import dev.flaredeploy.workflows.FailureTypes;
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
import dev.flaredeploy.workflows.model.SourceSnapshot;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The steps as Temporal activities: heartbeats while work runs, and failures turned into typed {@code
 * ApplicationFailure}s (non-retryable where a retry cannot help) whose first detail is the attempt. The
 * side effects themselves live in a {@link DeploymentTarget} per target name.
 */
public class DeploymentActivitiesImpl implements DeploymentActivities {
  private final PlanBuilder planBuilder;
  private final Map<String, DeploymentTarget> targets;
  private final SmokeChecker smoke;
  private final Clock clock;

  public DeploymentActivitiesImpl(
      SourceSnapshots sources,
      ProjectConfigLoader configLoader,
      Map<String, DeploymentTarget> targets,
      SmokeChecker smoke) {
    this(sources, configLoader, targets, smoke, Clock.systemUTC());
  }

  /** @param clock what freeze windows are judged by (the system clock in production) */
  public DeploymentActivitiesImpl(
      SourceSnapshots sources,
      ProjectConfigLoader configLoader,
      Map<String, DeploymentTarget> targets,
      SmokeChecker smoke,
      Clock clock) {
    this.planBuilder = new PlanBuilder(sources, configLoader);
    this.targets = Map.copyOf(targets);
    this.smoke = smoke;
    this.clock = clock;
  }

  @Override
  public DeploymentPlan prepare(DeploymentRequest request) {
    return guarded(() -> {
      target(request.target());
      return planBuilder.plan(request, attempt());
    });
  }

  @Override
  public SchemaReport validateSchema(DeploymentPlan plan) {
    return guarded(() -> {
      SchemaReport report = Gate.run(target(plan.target()), plan, heartbeat(), attempt(), clock);
      // the report goes with the failure (second detail), so the deployment's report shows the checks
      Gate.blocked(report).ifPresent(why -> {
        throw ApplicationFailure.newNonRetryableFailure(why, Gate.failureType(report), attempt(), report);
      });
      return report;
    });
  }

  @Override
  public Checkpoint checkpoint(DeploymentPlan plan) {
    return guarded(() -> {
      DeploymentTarget target = target(plan.target());
      String runId = Activity.getExecutionContext().getInfo().getRunId();
      // the live release is read beside the restore points: neither depends on the other
      CompletableFuture<Optional<String>> live = Concurrently.start(() -> target.liveRelease(plan));
      // each with the ledger its database has now: the workflow holds the databases' locks, nothing moves them
      List<RestorePoint> restorePoints =
          RestoreGuard.withLedgers(target, plan, target.checkpoint(plan, runId, heartbeat()), heartbeat());
      return new Checkpoint(restorePoints, Concurrently.join(live).orElse(null), attempt());
    });
  }

  /** Applies, then records the checksums of what the ledger lists ({@link ChecksumLedger#applyAndRecord}). */
  @Override
  public MigrationOutcome applyMigrations(DeploymentPlan plan, DatabasePlan database) {
    return guarded(() -> new MigrationOutcome(database.binding(),
        ChecksumLedger.applyAndRecord(target(plan.target()), plan, database, heartbeat()), attempt()));
  }

  @Override
  public Release deployWorker(DeploymentPlan plan) {
    return guarded(() -> new Release(plan.source().id(),
        target(plan.target()).release(plan, heartbeat()), attempt()));
  }

  /** Checks {@code [smoke] base_url} when the project sets one, else the URL the release step reported. */
  @Override
  public SmokeOutcome smokeTest(DeploymentPlan plan, Release release) {
    String base = plan.smoke().baseUrl() != null ? plan.smoke().baseUrl() : release.url();
    return guarded(() -> new SmokeOutcome(smoke.check(base, plan.smoke(), heartbeat()).detail(), attempt()));
  }

  @Override
  public UploadedVersion uploadVersion(DeploymentPlan plan) {
    return guarded(() -> {
      DeploymentTarget.UploadedVersion uploaded = target(plan.target()).uploadVersion(plan, heartbeat());
      return new UploadedVersion(uploaded.versionId(), uploaded.workerName(), uploaded.url(), attempt());
    });
  }

  @Override
  public ShiftOutcome shiftTraffic(DeploymentPlan plan, TrafficShift shift) {
    return guarded(() -> new ShiftOutcome(target(plan.target()).shiftTraffic(
        plan, shift.versionId(), shift.previousVersionId(), shift.percent(), heartbeat()), attempt()));
  }

  /**
   * Checks {@code [smoke] base_url} (else the Worker's URL) with the target's version headers, so that every
   * request reaches the new version whatever its share of the traffic.
   */
  @Override
  public SmokeOutcome smokeTestVersion(DeploymentPlan plan, UploadedVersion version) {
    String base = plan.smoke().baseUrl() != null ? plan.smoke().baseUrl() : version.url();
    return guarded(() -> {
      var headers = target(plan.target()).versionHeaders(plan, version.workerName(), version.versionId());
      return new SmokeOutcome(smoke.check(base, headers, plan.smoke(), heartbeat()).detail()
          + " (version " + version.versionId() + ")", attempt());
    });
  }

  @Override
  public CompensationOutcome rollbackWorker(DeploymentPlan plan, String previousVersion) {
    return guarded(() -> new CompensationOutcome(
        target(plan.target()).rollback(plan, previousVersion, heartbeat()), attempt()));
  }

  /** Refuses ({@link FailureTypes#RESTORE_REFUSED}) when someone else moved the database on ({@link RestoreGuard}). */
  @Override
  public CompensationOutcome restoreDatabase(DeploymentPlan plan, RestorePoint restorePoint) {
    return guarded(() -> {
      DeploymentTarget target = target(plan.target());
      RestoreGuard.check(target, plan, restorePoint, heartbeat());
      return new CompensationOutcome(target.restore(plan, restorePoint, heartbeat()), attempt());
    });
  }

  private DeploymentTarget target(String name) {
    DeploymentTarget target = targets.get(name);
    if (target == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "target \"" + name + "\" is not available in this worker; available: "
              + String.join(", ", targets.keySet()),
          FailureTypes.CONFIG_INVALID, attempt());
    }
    return target;
  }

  /** Heartbeats on each tick; a cancelled or timed-out activity stops the work through the exception. */
  private static Tick heartbeat() {
    ActivityExecutionContext context = Activity.getExecutionContext();
    return () -> context.heartbeat(null);
  }

  private static int attempt() {
    return Activity.getExecutionContext().getInfo().getAttempt();
  }

  /** Runs a step, mapping what went wrong to a failure type with an actionable message. */
  private static <T> T guarded(Supplier<T> step) {
    try {
      return step.get();
    } catch (ApplicationFailure | ActivityCompletionException e) {
      throw e;
    } catch (ConfigException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.CONFIG_INVALID, attempt());
    } catch (SourceException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.SOURCE_UNAVAILABLE, attempt());
    } catch (MigrationFailedException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          e.getMessage() + "; the database will be restored to its restore point",
          FailureTypes.MIGRATION_FAILED, attempt());
    } catch (LocalDatabaseConflictException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.PREFLIGHT_FAILED, attempt());
    } catch (RestoreGuard.RestoreRefusedException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.RESTORE_REFUSED, attempt());
    } catch (SmokeTestFailedException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.SMOKE_TEST_FAILED, attempt());
    } catch (LocalReleaseException e) {
      boolean retryable = FailureTypes.RELEASE_FAILED.equals(e.failureType());
      throw retryable
          ? ApplicationFailure.newFailure(e.getMessage(), e.failureType(), attempt())
          : ApplicationFailure.newNonRetryableFailure(e.getMessage(), e.failureType(), attempt());
    } catch (CloudflareException e) {
      if (e.retryable() && e.retryAfter().isPresent()) { // a 429: the next attempt waits as Cloudflare asked
        throw ApplicationFailure.newFailureWithCauseAndDelay(
            e.getMessage(), e.failureType(), null, e.retryAfter().get(), attempt());
      }
      throw e.retryable()
          ? ApplicationFailure.newFailure(e.getMessage(), e.failureType(), attempt())
          : ApplicationFailure.newNonRetryableFailure(e.getMessage(), e.failureType(), attempt());
    } catch (D1CommandException | ProcessTimeoutException e) {
      throw ApplicationFailure.newFailure(e.getMessage(), FailureTypes.WRANGLER_FAILED, attempt());
    } catch (RuntimeException e) {
      throw ApplicationFailure.newFailure(
          e.getClass().getSimpleName() + ": " + e.getMessage(), e.getClass().getName(), attempt());
    }
  }
}
