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
  private static void register(Worker worker, WorkflowClient client, DeploymentActivities world) {
    worker.registerWorkflowImplementationTypes(Workflows.IMPLEMENTATIONS.toArray(Class<?>[]::new));
    worker.registerActivitiesImplementations(world, Workflows.lockActivities(client));
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
