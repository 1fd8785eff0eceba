package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.model.ApprovalSettings;
import dev.flaredeploy.workflows.model.Checkpoint;
import dev.flaredeploy.workflows.model.CompensationOutcome;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.LocalSettings;
import dev.flaredeploy.workflows.model.MigrationFile;
import dev.flaredeploy.workflows.model.MigrationOutcome;
import dev.flaredeploy.workflows.model.PolicySettings;
import dev.flaredeploy.workflows.model.Release;
import dev.flaredeploy.workflows.model.RestorePoint;
import dev.flaredeploy.workflows.model.SchemaReport;
import dev.flaredeploy.workflows.model.ShiftOutcome;
import dev.flaredeploy.workflows.model.SmokeCheck;
import dev.flaredeploy.workflows.model.SmokeOutcome;
import dev.flaredeploy.workflows.model.SmokePlan;
import dev.flaredeploy.workflows.model.SourceSnapshot;
import dev.flaredeploy.workflows.model.TrafficShift;
import dev.flaredeploy.workflows.model.UploadedVersion;
import io.temporal.activity.Activity;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory world of several services whose D1 bindings share databases: one ledger per database id,
 * each service with its own bindings, migration files and live release. Records every moment two applies
 * ran on one database at once, and can hold a service's apply or smoke test until a test lets it go.
 */
class SharedDatabases implements DeploymentActivities {
  /** service → (binding → database id), in the order the service's config lists them. */
  final Map<String, Map<String, String>> bindings = new ConcurrentHashMap<>();
  /** service → its migration files (the same for each of its bindings). */
  final Map<String, List<String>> files = new ConcurrentHashMap<>();
  /** database id → ledger. */
  final Map<String, List<String>> ledgers = new ConcurrentHashMap<>();
  final Map<String, String> live = new ConcurrentHashMap<>();
  /** service → its environment's [approval], when it requires one. */
  final Map<String, ApprovalSettings> approvals = new ConcurrentHashMap<>();
  /** service → steps whose failure restores its databases. */
  final Map<String, List<String>> restoreDatabaseOn = new ConcurrentHashMap<>();
  /** service → released when the service's apply may finish; its apply counts it down on entry first */
  final Map<String, CountDownLatch> holdApply = new ConcurrentHashMap<>();
  final Map<String, CountDownLatch> applying = new ConcurrentHashMap<>();
  /** service → released when its smoke test may finish; counted down by the smoke test on entry */
  final Map<String, CountDownLatch> holdSmoke = new ConcurrentHashMap<>();
  final Map<String, CountDownLatch> smoking = new ConcurrentHashMap<>();
  /** "service apply DB", "service restore DB", … in the order they happened */
  final List<String> events = Collections.synchronizedList(new ArrayList<>());
  /** every moment two applies or restores touched one database at once */
  final List<String> overlaps = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, AtomicInteger> writers = new ConcurrentHashMap<>();

  /** A service binding {@code bindingToDatabase} (binding, database id, binding, database id…). */
  void service(String service, List<String> migrations, String... bindingToDatabase) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < bindingToDatabase.length; i += 2) {
      map.put(bindingToDatabase[i], bindingToDatabase[i + 1]);
      ledgers.putIfAbsent(bindingToDatabase[i + 1], Collections.synchronizedList(new ArrayList<>()));
    }
    bindings.put(service, map);
    files.put(service, List.copyOf(migrations));
  }

  List<String> ledger(String databaseId) {
    return List.copyOf(ledgers.get(databaseId));
  }

  @Override
  public DeploymentPlan prepare(DeploymentRequest request) {
    String service = request.service();
    List<MigrationFile> migrations = files.get(service).stream().map(f -> new MigrationFile(f, "sha-" + f)).toList();
    List<DatabasePlan> databases = new ArrayList<>();
    bindings.get(service).forEach((binding, id) ->
        databases.add(new DatabasePlan(binding, "db-" + id, id, "migrations", "d1_migrations", migrations, id)));
    return new DeploymentPlan(service, request.environment(), request.target(),
        new SourceSnapshot("src-" + service, "/snapshots/" + service, "c0ffee", false, "/work/" + service,
            List.of("main")), "wrangler.toml", databases,
        new SmokePlan(5_000, List.of(new SmokeCheck("/health", null, null)), null),
        restoreDatabaseOn.getOrDefault(service, Steps.DEFAULT_RESTORE_DATABASE_ON), new LocalSettings(8787),
        attempt(), false, "warn", null, false, PolicySettings.NONE, List.of(), null, approvals.get(service), List.of());
  }

  @Override
  public SchemaReport validateSchema(DeploymentPlan plan) {
    List<DatabaseStatus> statuses = new ArrayList<>();
    for (DatabasePlan db : plan.databases()) {
      List<String> ledger = ledger(db.databaseId());
      statuses.add(new DatabaseStatus(db.binding(), ledger,
          files.get(plan.service()).stream().filter(f -> !ledger.contains(f)).toList()));
    }
    return SchemaReport.of(statuses, live.get(plan.service()), attempt(), List.of());
  }

  @Override
  public Checkpoint checkpoint(DeploymentPlan plan) {
    List<RestorePoint> points = plan.databases().stream()
        .map(db -> new RestorePoint(db.binding(), "/checkpoints/" + plan.service() + "/" + db.binding())
            .withLedger(ledger(db.databaseId())))
        .toList();
    return new Checkpoint(points, live.get(plan.service()), attempt());
  }

  @Override
  public MigrationOutcome applyMigrations(DeploymentPlan plan, DatabasePlan database) {
    String id = database.databaseId();
    write(plan.service() + " apply " + id, id, () -> {
      CountDownLatch entered = applying.get(plan.service());
      if (entered != null) {
        entered.countDown();
      }
      hold(holdApply.get(plan.service()));
      for (String f : files.get(plan.service())) {
        if (!ledgers.get(id).contains(f)) {
          ledgers.get(id).add(f);
        }
      }
    });
    return new MigrationOutcome(database.binding(), ledger(id), attempt());
  }

  @Override
  public Release deployWorker(DeploymentPlan plan) {
    live.put(plan.service(), plan.source().id());
    return new Release(plan.source().id(), "http://127.0.0.1:8787", attempt());
  }

  @Override
  public SmokeOutcome smokeTest(DeploymentPlan plan, Release release) {
    CountDownLatch entered = smoking.get(plan.service());
    if (entered != null) {
      entered.countDown();
    }
    hold(holdSmoke.get(plan.service()));
    return new SmokeOutcome("1 check passed", attempt());
  }

  @Override
  public UploadedVersion uploadVersion(DeploymentPlan plan) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ShiftOutcome shiftTraffic(DeploymentPlan plan, TrafficShift shift) {
    throw new UnsupportedOperationException();
  }

  @Override
  public SmokeOutcome smokeTestVersion(DeploymentPlan plan, UploadedVersion version) {
    throw new UnsupportedOperationException();
  }

  @Override
  public CompensationOutcome rollbackWorker(DeploymentPlan plan, String previousVersion) {
    if (previousVersion == null) {
      live.remove(plan.service());
    } else {
      live.put(plan.service(), previousVersion);
    }
    return new CompensationOutcome("live: " + previousVersion, attempt());
  }

  /** Refuses as the real activity does: when the ledger shows migrations this deployment did not apply. */
  @Override
  public CompensationOutcome restoreDatabase(DeploymentPlan plan, RestorePoint restorePoint) {
    DatabasePlan db = plan.databases().stream().filter(d -> d.binding().equals(restorePoint.binding()))
        .findFirst().orElseThrow();
    String id = db.databaseId();
    RestorePoint.Divergence divergence = restorePoint.divergence(ledger(id),
        db.migrations().stream().map(MigrationFile::name).toList());
    if (!divergence.isEmpty()) {
      events.add(plan.service() + " refused restore " + id);
      throw ApplicationFailure.newNonRetryableFailure("restore of " + db.binding() + " refused: "
          + divergence.added() + " were applied after its restore point by someone else",
          FailureTypes.RESTORE_REFUSED, attempt());
    }
    write(plan.service() + " restore " + id, id, () -> {
      ledgers.get(id).clear();
      ledgers.get(id).addAll(restorePoint.ledger());
    });
    return new CompensationOutcome("restored " + restorePoint.binding(), attempt());
  }

  private void write(String event, String databaseId, Runnable work) {
    AtomicInteger count = writers.computeIfAbsent(databaseId, k -> new AtomicInteger());
    if (count.incrementAndGet() > 1) {
      overlaps.add(event);
    }
    events.add(event);
    try {
      work.run();
      sleep(50); // long enough that an overlapping writer would be seen
    } finally {
      count.decrementAndGet();
    }
  }

  /** Waits for the latch, heartbeating; a heartbeat that fails (the run ended) ends the wait. */
  private static void hold(CountDownLatch latch) {
    if (latch == null) {
      return;
    }
    try {
      while (!latch.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        Activity.getExecutionContext().heartbeat(null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ActivityCompletionException ended) {
      throw ended;
    }
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
