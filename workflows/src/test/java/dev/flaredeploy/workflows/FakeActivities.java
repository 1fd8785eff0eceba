package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.Checkpoint;
import dev.flaredeploy.workflows.model.CompensationOutcome;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.LocalSettings;
import dev.flaredeploy.workflows.model.MigrationFile;
import dev.flaredeploy.workflows.model.MigrationOutcome;
import dev.flaredeploy.workflows.model.Release;
import dev.flaredeploy.workflows.model.RestorePoint;
import dev.flaredeploy.workflows.model.RolloutPlan;
import dev.flaredeploy.workflows.model.PolicySettings;
import dev.flaredeploy.workflows.model.SchemaReport;
import dev.flaredeploy.workflows.model.ShiftOutcome;
import dev.flaredeploy.workflows.model.SmokeCheck;
import dev.flaredeploy.workflows.model.SmokeOutcome;
import dev.flaredeploy.workflows.model.SmokePlan;
import dev.flaredeploy.workflows.model.SourceSnapshot;
import dev.flaredeploy.workflows.model.TrafficShift;
import dev.flaredeploy.workflows.model.UploadedVersion;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * An in-memory world for workflow-logic tests: one database with a ledger, a live release, and switches
 * that make a step fail or block.
 */
class FakeActivities implements DeploymentActivities {
  final List<String> calls = Collections.synchronizedList(new ArrayList<>());
  final List<String> ledger = Collections.synchronizedList(new ArrayList<>());
  final List<String> files = new ArrayList<>(List.of("0001_init.sql", "0002_add.sql"));
  volatile String live;
  volatile String sourceId = "src-aaaaaaaaaaaaaaaa";
  volatile String failMigration;
  volatile boolean failSmoke;
  volatile boolean failPrepare;
  volatile boolean failRollback;
  volatile List<String> restoreDatabaseOn = Steps.DEFAULT_RESTORE_DATABASE_ON;
  /** when set, smoke-test waits on it (heartbeating) so a test can cancel mid-step */
  volatile CountDownLatch holdSmoke;
  /** the plan's [rollout]; null: none */
  volatile RolloutPlan rollout;
  /** the new version's share of the traffic during a rollout (-1: no split in place) */
  volatile int newVersionPercent = -1;
  /** every traffic share the new version was given, in order */
  final List<Integer> shifts = Collections.synchronizedList(new ArrayList<>());
  /** how many checks ran against the new version at each share */
  final java.util.Map<Integer, Integer> versionChecks = new java.util.concurrent.ConcurrentHashMap<>();
  /** checks of the new version fail once it has this share of the traffic (-1: never) */
  volatile int failVersionChecksAt = -1;
  /** counted down by the first check of the new version at {@link #signalChecksAt} */
  volatile CountDownLatch checkedAt;
  volatile int signalChecksAt = -1;
  private List<String> ledgerAtCheckpoint = List.of();
  /** what validate-schema's checks report */
  volatile List<CheckResult> checkResults = List.of();
  /** validate-schema blocks the deployment with {@link #checkResults} (DataConflict) */
  volatile boolean blockChecks;
  /** the plan's [approval]; null: none */
  volatile dev.flaredeploy.workflows.model.ApprovalSettings approval;
  /** the plan's [[notify]] */
  volatile List<dev.flaredeploy.workflows.model.NotifyTarget> notify = List.of();

  @Override
  public DeploymentPlan prepare(DeploymentRequest request) {
    calls.add(Steps.PREPARE);
    if (failPrepare) {
      throw ApplicationFailure.newNonRetryableFailure(
          "wrangler.toml:3: d1_databases[0].binding: required", FailureTypes.CONFIG_INVALID, attempt());
    }
    List<MigrationFile> migrations = files.stream().map(f -> new MigrationFile(f, "sha-" + f)).toList();
    return new DeploymentPlan(request.service(), request.environment(), request.target(),
        new SourceSnapshot(sourceId, "/snapshots/" + sourceId, "c0ffee", false, "/work/hello-d1", List.of("main")), "wrangler.toml",
        List.of(new DatabasePlan("DB", "db", "id", "migrations", "d1_migrations", migrations)),
        new SmokePlan(5_000, List.of(new SmokeCheck("/health", null, null)), null),
        restoreDatabaseOn, new LocalSettings(8787), attempt(), request.allowDestructive(), "warn", rollout, false,
        PolicySettings.NONE.withOverrides(request.overrides()), List.of(), null, approval, notify);
  }

  @Override
  public SchemaReport validateSchema(DeploymentPlan plan) {
    calls.add(Steps.VALIDATE_SCHEMA);
    List<String> pending = files.stream().filter(f -> !ledger.contains(f)).toList();
    SchemaReport report = SchemaReport.of(List.of(new DatabaseStatus("DB", List.copyOf(ledger), pending)), live,
        attempt(), checkResults);
    if (blockChecks) {
      throw ApplicationFailure.newNonRetryableFailure("the deployment is blocked; nothing was changed",
          FailureTypes.DATA_CONFLICT, attempt(), report);
    }
    return report;
  }

  @Override
  public Checkpoint checkpoint(DeploymentPlan plan) {
    calls.add(Steps.CHECKPOINT);
    ledgerAtCheckpoint = List.copyOf(ledger);
    return new Checkpoint(List.of(new RestorePoint("DB", "/checkpoints/DB.sql").withLedger(ledgerAtCheckpoint)), live,
        attempt());
  }

  @Override
  public MigrationOutcome applyMigrations(DeploymentPlan plan, DatabasePlan database) {
    calls.add(Steps.APPLY_MIGRATIONS);
    List<String> applied = new ArrayList<>();
    for (String f : files) {
      if (ledger.contains(f)) {
        continue;
      }
      if (f.equals(failMigration)) {
        throw ApplicationFailure.newNonRetryableFailure(
            "migration " + f + " failed on DB: near \"SELEC\": syntax error",
            FailureTypes.MIGRATION_FAILED, attempt());
      }
      ledger.add(f);
      applied.add(f);
    }
    return new MigrationOutcome(database.binding(), List.copyOf(ledger), attempt());
  }

  @Override
  public Release deployWorker(DeploymentPlan plan) {
    calls.add(Steps.DEPLOY_WORKER);
    live = plan.source().id();
    return new Release(live, "http://127.0.0.1:8787", attempt());
  }

  @Override
  public SmokeOutcome smokeTest(DeploymentPlan plan, Release release) {
    calls.add(Steps.SMOKE_TEST);
    CountDownLatch hold = holdSmoke;
    if (hold != null) {
      hold.countDown();
      for (int i = 0; i < 600; i++) {
        Activity.getExecutionContext().heartbeat(i);
        sleep(100);
      }
    }
    if (failSmoke) {
      throw ApplicationFailure.newNonRetryableFailure(
          "GET /health answered 503", FailureTypes.SMOKE_TEST_FAILED, attempt());
    }
    return new SmokeOutcome("1 check passed", attempt());
  }

  @Override
  public UploadedVersion uploadVersion(DeploymentPlan plan) {
    calls.add(Steps.UPLOAD_VERSION);
    return new UploadedVersion("v-" + plan.source().id(), plan.service(), "https://svc.example.workers.dev", attempt());
  }

  @Override
  public ShiftOutcome shiftTraffic(DeploymentPlan plan, TrafficShift shift) {
    calls.add(Steps.SHIFT_TRAFFIC);
    shifts.add(shift.percent());
    newVersionPercent = shift.percent();
    if (shift.percent() == 100) {
      live = plan.source().id();
    }
    return new ShiftOutcome(shift.percent() + " % to " + shift.versionId(), attempt());
  }

  @Override
  public SmokeOutcome smokeTestVersion(DeploymentPlan plan, UploadedVersion version) {
    calls.add(Steps.SMOKE_TEST_VERSION);
    int percent = newVersionPercent;
    versionChecks.merge(percent, 1, Integer::sum);
    CountDownLatch signal = checkedAt;
    if (signal != null && percent == signalChecksAt) {
      signal.countDown();
    }
    if (percent == failVersionChecksAt) {
      throw ApplicationFailure.newNonRetryableFailure(
          "GET /health answered 500 from version " + version.versionId(), FailureTypes.SMOKE_TEST_FAILED, attempt());
    }
    return new SmokeOutcome("1 check passed against " + version.versionId(), attempt());
  }

  @Override
  public CompensationOutcome rollbackWorker(DeploymentPlan plan, String previousVersion) {
    calls.add(Steps.ROLLBACK_WORKER);
    if (failRollback) {
      throw ApplicationFailure.newFailure("port 8787 is held by another process", "RollbackFailed", attempt());
    }
    live = previousVersion;
    newVersionPercent = -1;
    return new CompensationOutcome("live: " + previousVersion, attempt());
  }

  @Override
  public CompensationOutcome restoreDatabase(DeploymentPlan plan, RestorePoint restorePoint) {
    calls.add(Steps.RESTORE_DATABASE);
    ledger.clear();
    ledger.addAll(ledgerAtCheckpoint);
    return new CompensationOutcome("restored " + restorePoint.binding(), attempt());
  }

  private static int attempt() {
    return Activity.getExecutionContext().getInfo().getAttempt();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
