package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Records the histories that {@link ReplayTest} replays. Run only on purpose, after a deliberate,
 * versioned change of the workflow:
 * {@code mvn -pl workflows test -Dtest=RecordHistories -Dflaredeploy.recordHistories=true}. Never
 * re-record to make a failing replay pass: that is the break running deployments would suffer.
 */
@EnabledIfSystemProperty(named = "flaredeploy.recordHistories", matches = "true")
class RecordHistories {
  private static final Path OUT = Path.of("src/test/resources/histories");

  @Test
  void succeeded() throws Exception {
    record("succeeded", world -> { }, false);
  }

  @Test
  void rolledBackAfterAFailedMigration() throws Exception {
    record("rolled-back-migration", world -> {
      world.files.add("0003_bad.sql");
      world.failMigration = "0003_bad.sql";
    }, false);
  }

  @Test
  void rolledBackAfterAFailedSmokeTest() throws Exception {
    record("rolled-back-smoke-test", world -> world.failSmoke = true, false);
  }

  /** A gradual rollout ([rollout] steps 10, 50, 100; soak 2m) that passes every step. */
  @Test
  void rolledOutGradually() throws Exception {
    record("rolled-out-gradually",
        world -> world.rollout = new dev.flaredeploy.workflows.model.RolloutPlan(java.util.List.of(10, 50, 100), 120_000),
        false);
  }

  /** A gradual rollout whose checks fail at 50 %: all traffic goes back to the previous version. */
  @Test
  void rolloutAbortedAtFiftyPercent() throws Exception {
    record("rollout-aborted", world -> {
      world.rollout = new dev.flaredeploy.workflows.model.RolloutPlan(java.util.List.of(10, 50, 100), 120_000);
      world.failVersionChecksAt = 50;
    }, false);
  }

  @Test
  void cancelledDuringTheSmokeTest() throws Exception {
    record("cancelled", world -> world.holdSmoke = new CountDownLatch(1), true);
  }

  /**
   * The first worker goes away while smoke-test runs (its attempt then times out on its heartbeat); a
   * second worker picks the step up and the deployment succeeds.
   */
  @Test
  void resumedOnAnotherWorkerAfterACrash() throws Exception {
    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder();
    DeploymentAttributes.ALL.forEach(
        k -> options.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(options.build())) {
      WorkerOptions noSticky = WorkerOptions.newBuilder().setStickyQueueScheduleToStartTimeout(Duration.ZERO).build();
      FakeActivities first = new FakeActivities();
      first.holdSmoke = new CountDownLatch(1);
      Worker worker = env.newWorker("record", noSticky);
      register(worker, env.getWorkflowClient(), first);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      WorkflowStub stub = startRun(client);
      first.holdSmoke.await(30, TimeUnit.SECONDS);
      env.getWorkerFactory().shutdownNow();

      FakeActivities second = new FakeActivities();
      second.live = first.live;
      second.ledger.addAll(first.ledger);
      WorkerFactory factory = WorkerFactory.newInstance(client);
      Worker replacement = factory.newWorker("record", noSticky);
      register(replacement, client, second);
      factory.start();
      stub.getResult(DeploymentReport.class);
      write("crash-resumed", client, stub);
      factory.shutdownNow();
    }
  }

  /**
   * An environment that requires an approval, with a webhook for its events: waits, is approved by its digest,
   * runs its checks again, deploys, records the release, and notifies.
   */
  @Test
  void approvedByItsDigest() throws Exception {
    recordApproval("approved", false);
  }

  /** Drift appears while it waits: the approval of the first digest makes it ask again; the new one is approved. */
  @Test
  void driftWhileWaitingThenApprovedAgain() throws Exception {
    recordApproval("approval-asked-again", true);
  }

  private void recordApproval(String name, boolean drift) throws Exception {
    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder();
    DeploymentAttributes.ALL.forEach(
        k -> options.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(options.build())) {
      FakeActivities world = new FakeActivities();
      world.live = "src-0000000000000000";
      world.approval = new dev.flaredeploy.workflows.model.ApprovalSettings(true, 86_400_000L, java.util.List.of());
      world.notify = java.util.List.of(new dev.flaredeploy.workflows.model.NotifyTarget("HOOK_URL",
          dev.flaredeploy.workflows.model.NotifyTarget.EVENTS, "json"));
      FakeProduction production = new FakeProduction();
      Worker worker = env.newWorker("record");
      register(worker, env.getWorkflowClient(), world, production);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      WorkflowStub stub = startRun(client);
      DeploymentWorkflow typed = client.newWorkflowStub(DeploymentWorkflow.class, stub.getExecution().getWorkflowId());
      String digest = awaitWaitingDigest(client, stub, null);
      if (drift) {
        world.checkResults = java.util.List.of(new dev.flaredeploy.workflows.model.CheckResult("drift",
            dev.flaredeploy.workflows.model.CheckResult.WARNED, null, java.util.List.of(
                new dev.flaredeploy.workflows.model.CheckFinding("warning", "DB", "column notes.priority", "drift",
                    "DB: column notes.priority exists in the live database but no applied migration creates it",
                    java.util.List.of())), "bring the database back in line"));
        typed.approve(new dev.flaredeploy.workflows.model.ApprovalDecision(digest, "recorder@host", null));
        digest = awaitWaitingDigest(client, stub, digest);
      }
      typed.approve(new dev.flaredeploy.workflows.model.ApprovalDecision(digest, "recorder@host", "recorded"));
      stub.getResult(DeploymentReport.class);
      write(name, client, stub);
    }
  }

  private static String awaitWaitingDigest(WorkflowClient client, WorkflowStub stub, String not) throws Exception {
    for (int i = 0; i < 400; i++) {
      DeploymentReport r = client.newUntypedWorkflowStub(stub.getExecution().getWorkflowId(),
              java.util.Optional.of(stub.getExecution().getRunId()), java.util.Optional.empty()).describe()
          .getMemo(DeploymentAttributes.REPORT_MEMO, DeploymentReport.class, DeploymentReport.class);
      if (r != null && "WAITING_FOR_APPROVAL".equals(r.state()) && !r.approval().plan().value().equals(not)) {
        return r.approval().plan().value();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the run never waited for an approval");
  }

  /**
   * Two services share a database: admin's deployment waits while api's migrates it (waited-for-database-lock),
   * and the lock's own history (locks/database-lock). Then api, cancelled during its smoke test after admin
   * migrated the database, refuses to restore it (refused-restore: the lock taken again for the restore).
   */
  @Test
  void deploymentsThatShareADatabase() throws Exception {
    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder();
    DeploymentAttributes.ALL.forEach(
        k -> options.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(options.build())) {
      SharedDatabases world = new SharedDatabases();
      world.service("api", java.util.List.of("0001_init.sql", "0002_notes.sql"), "DB", "shared");
      world.service("admin", java.util.List.of("0001_init.sql", "0002_notes.sql", "0003_audit.sql"), "DB", "shared");
      Worker worker = env.newWorker("record");
      register(worker, env.getWorkflowClient(), world);
      env.start();
      WorkflowClient client = env.getWorkflowClient();

      world.holdApply.put("api", new CountDownLatch(1));
      world.applying.put("api", new CountDownLatch(1));
      world.holdSmoke.put("api", new CountDownLatch(1));
      world.smoking.put("api", new CountDownLatch(1));
      WorkflowStub api = startRun(client, "api");
      world.applying.get("api").await(30, TimeUnit.SECONDS);
      WorkflowStub admin = startRun(client, "admin");
      Thread.sleep(2_000); // admin asks for the lock and waits
      world.holdApply.get("api").countDown();
      admin.getResult(DeploymentReport.class);
      write("waited-for-database-lock", client, admin);

      world.smoking.get("api").await(30, TimeUnit.SECONDS);
      api.cancel("recorded cancel");
      try {
        api.getResult(DeploymentReport.class);
      } catch (RuntimeException expected) {
        // NEEDS_ATTENTION: the restore was refused
      }
      write("refused-restore", client, api);
      Files.createDirectories(OUT.resolve("locks"));
      Files.writeString(OUT.resolve("locks/database-lock.json"),
          client.fetchHistory(DeploymentIds.databaseLockId("local", "shared")).toJson(true));
    }
  }

  /** The deployment workflow, the database locks it takes, and the world's activities, as a worker has them. */
  private static void register(Worker worker, WorkflowClient client, DeploymentActivities world, Object... more) {
    worker.registerWorkflowImplementationTypes(Workflows.IMPLEMENTATIONS.toArray(Class<?>[]::new));
    worker.registerActivitiesImplementations(world, Workflows.lockActivities(client));
    if (more.length > 0) {
      worker.registerActivitiesImplementations(more);
    }
  }

  private static WorkflowStub startRun(WorkflowClient client, String service) {
    DeploymentWorkflow wf = client.newWorkflowStub(DeploymentWorkflow.class, WorkflowOptions.newBuilder()
        .setTaskQueue("record")
        .setWorkflowId(DeploymentIds.workflowId("local", service, "default"))
        .setTypedSearchAttributes(SearchAttributes.newBuilder()
            .set(DeploymentAttributes.SERVICE, service).set(DeploymentAttributes.STATE, "RUNNING").build())
        .build());
    WorkflowClient.start(wf::deploy, new DeploymentRequest("/p/" + service, "default", "local", service, null,
        "recorder", false, null));
    return WorkflowStub.fromTyped(wf);
  }

  private static WorkflowStub startRun(WorkflowClient client) {
    DeploymentWorkflow wf = client.newWorkflowStub(DeploymentWorkflow.class, WorkflowOptions.newBuilder()
        .setTaskQueue("record")
        .setWorkflowId(DeploymentIds.workflowId("local", "svc", "default"))
        .setTypedSearchAttributes(SearchAttributes.newBuilder()
            .set(DeploymentAttributes.SERVICE, "svc").set(DeploymentAttributes.STATE, "RUNNING").build())
        .build());
    WorkflowClient.start(wf::deploy, new DeploymentRequest("/p", "default", "local", "svc", null, "recorder", false, null));
    return WorkflowStub.fromTyped(wf);
  }

  private static void write(String name, WorkflowClient client, WorkflowStub stub) throws java.io.IOException {
    Files.createDirectories(OUT);
    Files.writeString(OUT.resolve(name + ".json"),
        client.fetchHistory(stub.getExecution().getWorkflowId(), stub.getExecution().getRunId()).toJson(true));
  }

  private void record(String name, Consumer<FakeActivities> setup, boolean cancel) throws Exception {
    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder();
    DeploymentAttributes.ALL.forEach(
        k -> options.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(options.build())) {
      FakeActivities world = new FakeActivities();
      world.live = "src-0000000000000000";
      setup.accept(world);
      Worker worker = env.newWorker("record");
      register(worker, env.getWorkflowClient(), world);
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      DeploymentWorkflow wf = client.newWorkflowStub(DeploymentWorkflow.class, WorkflowOptions.newBuilder()
          .setTaskQueue("record")
          .setWorkflowId(DeploymentIds.workflowId("local", "svc", "default"))
          .setTypedSearchAttributes(SearchAttributes.newBuilder()
              .set(DeploymentAttributes.SERVICE, "svc").set(DeploymentAttributes.STATE, "RUNNING").build())
          .build());
      WorkflowClient.start(wf::deploy, new DeploymentRequest("/p", "default", "local", "svc", null, "recorder", false, null));
      WorkflowStub stub = WorkflowStub.fromTyped(wf);
      if (cancel) {
        world.holdSmoke.await(30, TimeUnit.SECONDS);
        stub.cancel("recorded cancel");
      }
      try {
        stub.getResult(DeploymentReport.class);
      } catch (RuntimeException expectedForFailures) {
        // failed and cancelled runs are what some histories record
      }
      Files.createDirectories(OUT);
      Files.writeString(OUT.resolve(name + ".json"),
          client.fetchHistory(stub.getExecution().getWorkflowId(), stub.getExecution().getRunId()).toJson(true));
    }
  }

  /**
   * A fleet of three real deployments (canary 1, then 1 at a time, no failure allowed) whose second member fails its
   * smoke test and rolls back: the third is skipped. The parent's history.
   */
  @Test
  void fleetStoppedByItsFailureBudget() throws Exception {
    recordFleet("fleet-budget-spent", new dev.flaredeploy.workflows.model.FleetOptions(1, 1, 0, false), false,
        "tenant-a", "bad-b", "tenant-c");
  }

  /** A fleet cancelled while its two members run (each undoes itself): the rest is skipped. */
  @Test
  void fleetCancelledWhileMembersRun() throws Exception {
    recordFleet("fleet-cancelled", new dev.flaredeploy.workflows.model.FleetOptions(0, 2, 0, false), true,
        "tenant-a", "tenant-b", "tenant-c");
  }

  /**
   * A fleet of two real deployments (a canary, then the second) whose second member waits for an approval and is
   * approved by its own id; the fleet sends its own outcome to its webhook. The parent's history.
   */
  @Test
  void fleetWithAnApprovedMemberNotifiesItsOutcome() throws Exception {
    TestEnvironmentOptions.Builder envOptions = TestEnvironmentOptions.newBuilder();
    DeploymentAttributes.ALL.forEach(
        k -> envOptions.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(envOptions.build())) {
      Worker worker = env.newWorker("record");
      worker.registerWorkflowImplementationTypes(Workflows.IMPLEMENTATIONS.toArray(Class<?>[]::new));
      worker.registerActivitiesImplementations(new FleetWorkflowTest.GatedActivities(), new FakeProduction());
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      FleetWorkflow fleet = client.newWorkflowStub(FleetWorkflow.class, WorkflowOptions.newBuilder()
          .setTaskQueue("record").setWorkflowId("fleet:local:svc:*").build());
      java.util.List<dev.flaredeploy.workflows.model.FleetMember> members = java.util.stream.Stream.of("a", "gated-b")
          .map(e -> new dev.flaredeploy.workflows.model.FleetMember(
              new DeploymentRequest("/p", e, "local", "svc", null, "recorder", false, null), "c0ffee", false,
              java.util.List.<Integer>of()))
          .toList();
      WorkflowClient.start(fleet::deploy, new dev.flaredeploy.workflows.model.FleetRequest("svc --env *", "local",
          members, new dev.flaredeploy.workflows.model.FleetOptions(1, 2, 0, false), "recorder", null, null, 1, false,
          java.util.List.of(new dev.flaredeploy.workflows.model.NotifyTarget("FLEET_HOOK",
              dev.flaredeploy.workflows.model.NotifyTarget.EVENTS, "json"))));
      WorkflowStub stub = WorkflowStub.fromTyped(fleet);
      String digest = null;
      for (int i = 0; i < 400 && digest == null; i++) {
        try {
          DeploymentReport r = client.newUntypedWorkflowStub("deploy:local:svc:gated-b").describe()
              .getMemo(DeploymentAttributes.REPORT_MEMO, DeploymentReport.class, DeploymentReport.class);
          digest = r != null && "WAITING_FOR_APPROVAL".equals(r.state()) ? r.approval().plan().value() : null;
        } catch (RuntimeException notStartedYet) {
          // the fleet has not started it yet
        }
        Thread.sleep(50);
      }
      var outcome = client.newWorkflowStub(DeploymentWorkflow.class, "deploy:local:svc:gated-b")
          .approve(new dev.flaredeploy.workflows.model.ApprovalDecision(digest, "recorder@host", "recorded"));
      if (!dev.flaredeploy.workflows.model.ApprovalOutcome.PROCEEDING.equals(outcome.result())) {
        throw new AssertionError("the approval did not let it proceed: " + outcome);
      }
      stub.getResult(dev.flaredeploy.workflows.model.FleetReport.class);
      write("fleet-approval-notified", client, stub);
    }
  }

  private void recordFleet(String name, dev.flaredeploy.workflows.model.FleetOptions options, boolean cancel,
      String... environments) throws Exception {
    TestEnvironmentOptions.Builder envOptions = TestEnvironmentOptions.newBuilder();
    DeploymentAttributes.ALL.forEach(
        k -> envOptions.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(envOptions.build())) {
      FleetWorkflowTest.FleetActivities world = new FleetWorkflowTest.FleetActivities();
      if (cancel) {
        world.holdSmoke = new CountDownLatch(2);
      }
      Worker worker = env.newWorker("record");
      worker.registerWorkflowImplementationTypes(Workflows.IMPLEMENTATIONS.toArray(Class<?>[]::new));
      worker.registerActivitiesImplementations(world, Workflows.lockActivities(env.getWorkflowClient()));
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      FleetWorkflow fleet = client.newWorkflowStub(FleetWorkflow.class, WorkflowOptions.newBuilder()
          .setTaskQueue("record").setWorkflowId("fleet:local:svc:*").build());
      java.util.List<dev.flaredeploy.workflows.model.FleetMember> members = java.util.Arrays.stream(environments)
          .map(e -> new dev.flaredeploy.workflows.model.FleetMember(
              new DeploymentRequest("/p", e, "local", "svc", null, "recorder", false, null), "c0ffee", false,
              java.util.List.<Integer>of()))
          .toList();
      WorkflowClient.start(fleet::deploy, new dev.flaredeploy.workflows.model.FleetRequest("svc --env *", "local",
          members, options, "recorder", null, null, 1, false));
      WorkflowStub stub = WorkflowStub.fromTyped(fleet);
      if (cancel) {
        world.holdSmoke.await(30, TimeUnit.SECONDS);
        stub.cancel("recorded cancel");
      }
      try {
        stub.getResult(dev.flaredeploy.workflows.model.FleetReport.class);
      } catch (RuntimeException expectedForFailures) {
        // a fleet that did not succeed fails (or is cancelled)
      }
      write(name, client, stub);
    }
  }
}
