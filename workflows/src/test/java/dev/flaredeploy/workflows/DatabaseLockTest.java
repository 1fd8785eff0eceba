package dev.flaredeploy.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flaredeploy.workflows.locks.DatabaseLockActivities;
import dev.flaredeploy.workflows.locks.DatabaseLockActivitiesImpl;
import dev.flaredeploy.workflows.locks.DatabaseLockWorkflow;
import dev.flaredeploy.workflows.locks.DatabaseLockWorkflowImpl;
import dev.flaredeploy.workflows.model.ApprovalDecision;
import dev.flaredeploy.workflows.model.ApprovalSettings;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.LockHolder;
import dev.flaredeploy.workflows.model.LockRequest;
import dev.flaredeploy.workflows.model.LockState;
import dev.flaredeploy.workflows.model.LockTicket;
import dev.flaredeploy.workflows.model.StepReport;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One migrator per database: deployments of different services whose bindings share a D1 database, on the
 * time-skipping test server with an in-memory world ({@link SharedDatabases}) and the real lock workflow.
 */
class DatabaseLockTest {
  private static final String QUEUE = "locks";
  private static final List<String> SHARED = List.of("0001_init.sql", "0002_notes.sql");

  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private SharedDatabases world;
  /** "service lockId" for each lock request, in order */
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start() {
    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder();
    DeploymentAttributes.ALL.forEach(
        k -> options.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    env = TestWorkflowEnvironment.newInstance(options.build());
    world = new SharedDatabases();
    client = env.getWorkflowClient();
    DatabaseLockActivitiesImpl real = new DatabaseLockActivitiesImpl(client);
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(DeploymentWorkflowImpl.class, DatabaseLockWorkflowImpl.class,
        LockHolderThatWaitsImpl.class);
    worker.registerActivitiesImplementations(world, new DatabaseLockActivities() {
      @Override
      public LockTicket requestLock(LockRequest request) {
        requests.add(request.requester().service() + " " + request.lockId());
        return real.requestLock(request);
      }

      @Override
      public boolean holderRunning(LockHolder holder) {
        return real.holderRunning(holder);
      }
    });
    env.start();
  }

  @AfterEach
  void stop() {
    world.holdApply.values().forEach(CountDownLatch::countDown);
    world.holdSmoke.values().forEach(CountDownLatch::countDown);
    env.close();
  }

  @Test
  void twoServicesSharingADatabaseNeverMigrateItAtOnceAndASharedMigrationIsAppliedOnce() throws Exception {
    world.service("api", SHARED, "DB", "shared");
    world.service("admin", concat(SHARED, "0003_admin_audit.sql"), "DB", "shared");
    holdApply("api");

    WorkflowStub api = start("api");
    assertThat(world.applying.get("api").await(30, TimeUnit.SECONDS)).isTrue();
    WorkflowStub admin = start("admin");
    StepReport waiting = awaitStep(admin, s -> s.name().equals("lock-database") && s.state().equals("RUNNING"));
    assertThat(waiting.detail())
        .isEqualTo("waiting for api's deployment (default) to finish migrating DB (db-shared (shared, local))");
    assertThat(world.events).containsExactly("api apply shared");

    world.holdApply.get("api").countDown();
    DeploymentReport apiReport = result(api);
    DeploymentReport adminReport = result(admin);

    assertThat(apiReport.state()).isEqualTo("SUCCEEDED");
    assertThat(adminReport.state()).as(adminReport.summary()).isEqualTo("SUCCEEDED");
    assertThat(world.overlaps).as("applies that overlapped").isEmpty();
    assertThat(world.ledger("shared")).containsExactly("0001_init.sql", "0002_notes.sql", "0003_admin_audit.sql");
    assertThat(apiReport.databases().get(0).applied()).containsExactly("0001_init.sql", "0002_notes.sql");
    assertThat(adminReport.databases().get(0).applied()).as("the shared migrations were api's")
        .containsExactly("0003_admin_audit.sql");
    assertThat(adminReport.summary()).contains("1 migration(s) applied");
    assertThat(step(adminReport, "apply-migrations").detail()).isEqualTo("DB: applied 0003_admin_audit.sql");
    assertThat(adminReport.steps().stream().filter(st -> st.name().equals("validate-schema")).map(StepReport::detail))
        .as("validate-schema again once api's migrations were in: its checks are about the database as it is")
        .satisfiesExactly(first -> assertThat(first).startsWith("DB: 0 applied, 3 pending"),
            again -> assertThat(again).startsWith("DB: 2 applied, 1 pending"));
    StepReport waited = step(adminReport, "lock-database");
    assertThat(waited.state()).isEqualTo("SUCCEEDED");
    assertThat(waited.detail()).startsWith("waited ")
        .endsWith(" for api's deployment (default) to finish migrating DB (db-shared (shared, local));"
            + " api's deployment (default) released it");
    assertThat(stepNames(adminReport)).containsSubsequence("validate-schema", "lock-database", "checkpoint",
        "validate-schema", "apply-migrations");
    assertThat(stepNames(apiReport)).as("no wait, no step").doesNotContain("lock-database");
    assertThat(lockState("d1-lock:local:shared").holder()).as("both released").isNull();
  }

  @Test
  void waitingDeploymentsMigrateInTheOrderTheyAsked() throws Exception {
    world.service("api", SHARED, "DB", "shared");
    world.service("admin", concat(SHARED, "0003_admin.sql"), "DB", "shared");
    world.service("billing", concat(SHARED, "0004_billing.sql"), "DB", "shared");
    holdApply("api");
    WorkflowStub api = start("api");
    assertThat(world.applying.get("api").await(30, TimeUnit.SECONDS)).isTrue();
    WorkflowStub admin = start("admin");
    awaitStep(admin, s -> s.name().equals("lock-database") && s.state().equals("RUNNING"));
    WorkflowStub billing = start("billing");
    StepReport billingWaits = awaitStep(billing, s -> s.name().equals("lock-database") && s.state().equals("RUNNING"));

    world.holdApply.get("api").countDown();

    assertThat(billingWaits.detail()).contains("waiting for api's deployment", "1 more deployment(s) ahead");
    assertThat(result(billing).state()).isEqualTo("SUCCEEDED");
    assertThat(result(admin).state()).isEqualTo("SUCCEEDED");
    assertThat(result(api).state()).isEqualTo("SUCCEEDED");
    assertThat(world.events).containsExactly("api apply shared", "admin apply shared", "billing apply shared");
    assertThat(world.ledger("shared"))
        .containsExactly("0001_init.sql", "0002_notes.sql", "0003_admin.sql", "0004_billing.sql");
  }

  /**
   * The holder here is a small workflow that takes the lock and waits: the test server never lets time skip
   * again once a workflow was terminated inside an activity, and a deployment holds its locks inside one.
   */
  @Test
  void aHolderWhoseRunEndedWithoutReleasingGivesTheLockToTheNextDeployment() throws Exception {
    world.service("admin", SHARED, "DB", "shared");
    WorkflowStub holder = client.newUntypedWorkflowStub("LockHolderThatWaits",
        WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId("ops-script").build());
    holder.start("d1-lock:local:shared");
    awaitHolder("d1-lock:local:shared", "ops-script");
    WorkflowStub admin = start("admin");
    awaitStep(admin, s -> s.name().equals("lock-database") && s.state().equals("RUNNING"));

    holder.terminate("operator terminated a stuck script");
    DeploymentReport adminReport = result(admin);

    assertThat(adminReport.state()).as(adminReport.summary()).isEqualTo("SUCCEEDED");
    assertThat(step(adminReport, "lock-database").detail())
        .endsWith("; ops-script's deployment (default) ended without releasing it");
    assertThat(world.ledger("shared")).containsExactly("0001_init.sql", "0002_notes.sql");
  }

  /** Takes a database lock as a deployment would and waits forever. */
  @WorkflowInterface
  public interface LockHolderThatWaits {
    @WorkflowMethod(name = "LockHolderThatWaits")
    void hold(String lockId);
  }

  public static class LockHolderThatWaitsImpl implements LockHolderThatWaits {
    @Override
    public void hold(String lockId) {
      DatabaseLockActivities locks = Workflow.newActivityStub(DatabaseLockActivities.class,
          ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(10)).build());
      locks.requestLock(new LockRequest(lockId, QUEUE, "shared", new LockHolder(Workflow.getInfo().getWorkflowId(),
          Workflow.getInfo().getRunId(), "ops-script", "default", "DB")));
      Workflow.await(() -> false);
    }
  }

  @Test
  void deploymentsSharingTwoDatabasesListedInOppositeOrderTakeTheLocksInOneOrderAndBothFinish() {
    world.service("api", SHARED, "USERS", "db-1", "ORDERS", "db-2");
    world.service("admin", SHARED, "ORDERS", "db-2", "USERS", "db-1");

    WorkflowStub api = start("api");
    WorkflowStub admin = start("admin");
    DeploymentReport apiReport = result(api);
    DeploymentReport adminReport = result(admin);

    assertThat(apiReport.state()).isEqualTo("SUCCEEDED");
    assertThat(adminReport.state()).isEqualTo("SUCCEEDED");
    assertThat(requests).filteredOn(r -> r.startsWith("admin "))
        .containsExactly("admin d1-lock:local:db-1", "admin d1-lock:local:db-2");
    assertThat(requests).filteredOn(r -> r.startsWith("api "))
        .containsExactly("api d1-lock:local:db-1", "api d1-lock:local:db-2");
    assertThat(world.overlaps).isEmpty();
    assertThat(world.ledger("db-1")).containsExactly("0001_init.sql", "0002_notes.sql");
    assertThat(world.ledger("db-2")).containsExactly("0001_init.sql", "0002_notes.sql");
  }

  @Test
  void aServiceBindingOneDatabaseTwiceTakesItsLockOnce() {
    world.service("api", SHARED, "DB", "shared", "READER", "shared");

    DeploymentReport report = result(start("api"));

    assertThat(report.state()).as(report.summary()).isEqualTo("SUCCEEDED");
    assertThat(requests).containsExactly("api d1-lock:local:shared");
    assertThat(world.ledger("shared")).containsExactly("0001_init.sql", "0002_notes.sql");
  }

  @Test
  void aRestoreAfterAnotherDeploymentMigratedTheDatabaseIsRefusedAndAPersonIsAsked() throws Exception {
    world.service("api", SHARED, "DB", "shared");
    world.service("admin", concat(SHARED, "0003_admin_audit.sql"), "DB", "shared");
    holdSmoke("api");
    WorkflowStub api = start("api");
    assertThat(world.smoking.get("api").await(30, TimeUnit.SECONDS)).isTrue();
    // api gave its lock back after its migrations (only a failed migration restores by default): admin migrates
    DeploymentReport adminReport = result(start("admin"));
    assertThat(adminReport.state()).isEqualTo("SUCCEEDED");

    api.cancel("wrong branch"); // a cancel restores the databases: over admin's migration it must not

    assertThatThrownBy(() -> api.getResult(DeploymentReport.class)).isInstanceOf(WorkflowFailedException.class);
    DeploymentReport apiReport = memo(api);
    assertThat(apiReport.state()).isEqualTo("NEEDS_ATTENTION");
    assertThat(apiReport.actionsRequired()).singleElement().asString()
        .contains("[0003_admin_audit.sql] were applied after its restore point by someone else");
    assertThat(world.ledger("shared")).as("admin's migration is kept")
        .containsExactly("0001_init.sql", "0002_notes.sql", "0003_admin_audit.sql");
    assertThat(world.events).containsSubsequence("api apply shared", "admin apply shared", "api refused restore shared");
    assertThat(lockState("d1-lock:local:shared").holder()).as("the lock taken again for the restore is released")
        .isNull();
  }

  @Test
  void aDeploymentThatMayRestoreAfterItsMigrationsKeepsTheLockUntilItEnds() throws Exception {
    world.service("api", SHARED, "DB", "shared");
    world.service("admin", concat(SHARED, "0003_admin_audit.sql"), "DB", "shared");
    world.restoreDatabaseOn.put("api", List.of("apply-migrations", "smoke-test"));
    holdSmoke("api");
    WorkflowStub api = start("api");
    assertThat(world.smoking.get("api").await(30, TimeUnit.SECONDS)).isTrue();
    WorkflowStub admin = start("admin");
    awaitStep(admin, s -> s.name().equals("lock-database") && s.state().equals("RUNNING"));

    api.cancel("smoke test looked wrong");
    assertThatThrownBy(() -> api.getResult(DeploymentReport.class)).isInstanceOf(WorkflowFailedException.class);
    DeploymentReport adminReport = result(admin);

    assertThat(memo(api).state()).isEqualTo("CANCELLED");
    assertThat(adminReport.state()).isEqualTo("SUCCEEDED");
    assertThat(world.events).containsExactly("api apply shared", "api restore shared", "admin apply shared");
    assertThat(adminReport.databases().get(0).applied())
        .containsExactly("0001_init.sql", "0002_notes.sql", "0003_admin_audit.sql");
  }

  @Test
  void anApprovedDeploymentThatThenWaitedForTheLockGoesOnWithWhatIsLeftOfTheApprovedPlan() throws Exception {
    world.service("api", SHARED, "DB", "shared");
    world.service("admin", concat(SHARED, "0003_admin_audit.sql"), "DB", "shared");
    world.approvals.put("admin", new ApprovalSettings(true, 86_400_000L, List.of()));
    holdApply("api");
    WorkflowStub api = start("api");
    assertThat(world.applying.get("api").await(30, TimeUnit.SECONDS)).isTrue();
    WorkflowStub admin = start("admin");
    awaitStep(admin, s -> s.name().equals(Steps.WAIT_FOR_APPROVAL) && s.state().equals("RUNNING"));
    String digest = memo(admin).approval().plan().value();

    client.newWorkflowStub(DeploymentWorkflow.class, admin.getExecution().getWorkflowId())
        .approve(new ApprovalDecision(digest, "ada@laptop", "all three"));
    awaitStep(admin, s -> s.name().equals("lock-database") && s.state().equals("RUNNING"));
    world.holdApply.get("api").countDown();

    DeploymentReport report = result(admin);
    assertThat(report.state()).as(report.summary()).isEqualTo("SUCCEEDED");
    assertThat(report.databases().get(0).applied()).as("api applied the shared two meanwhile")
        .containsExactly("0003_admin_audit.sql");
  }

  @Test
  void aLockThatAPersonTerminatedWhileItWasHeldDoesNotFailTheDeploymentThatHeldIt() throws Exception {
    world.service("api", SHARED, "DB", "shared");
    holdApply("api");
    WorkflowStub api = start("api");
    assertThat(world.applying.get("api").await(30, TimeUnit.SECONDS)).isTrue();
    awaitHolder("d1-lock:local:shared", api.getExecution().getWorkflowId());

    client.newUntypedWorkflowStub("d1-lock:local:shared").terminate("operator cleared a lock by hand");
    world.holdApply.get("api").countDown();

    DeploymentReport report = result(api);
    assertThat(report.state()).as(report.summary()).isEqualTo("SUCCEEDED");
    assertThat(report.databases().get(0).applied()).containsExactly("0001_init.sql", "0002_notes.sql");
  }

  @Test
  void aDeploymentCancelledWhileWaitingLeavesTheQueueAndChangesNothing() throws Exception {
    world.service("api", SHARED, "DB", "shared");
    world.service("admin", SHARED, "DB", "shared");
    holdApply("api");
    WorkflowStub api = start("api");
    assertThat(world.applying.get("api").await(30, TimeUnit.SECONDS)).isTrue();
    WorkflowStub admin = start("admin");
    awaitStep(admin, s -> s.name().equals("lock-database") && s.state().equals("RUNNING"));
    assertThat(lockState("d1-lock:local:shared").waiting()).extracting(LockHolder::service).containsExactly("admin");

    admin.cancel("not now");

    assertThatThrownBy(() -> admin.getResult(DeploymentReport.class))
        .isInstanceOf(WorkflowFailedException.class).hasCauseInstanceOf(CanceledFailure.class);
    DeploymentReport adminReport = memo(admin);
    assertThat(adminReport.state()).isEqualTo("CANCELLED");
    assertThat(step(adminReport, "lock-database").state()).isEqualTo("CANCELLED");
    assertThat(lockState("d1-lock:local:shared").waiting()).isEmpty();
    world.holdApply.get("api").countDown();
    assertThat(result(api).state()).isEqualTo("SUCCEEDED");
    assertThat(world.events).containsExactly("api apply shared");
  }

  // ---------------------------------------------------------------------------------------------

  private void holdApply(String service) {
    world.holdApply.put(service, new CountDownLatch(1));
    world.applying.put(service, new CountDownLatch(1));
  }

  private void holdSmoke(String service) {
    world.holdSmoke.put(service, new CountDownLatch(1));
    world.smoking.put(service, new CountDownLatch(1));
  }

  private WorkflowStub start(String service) {
    DeploymentWorkflow wf = client.newWorkflowStub(DeploymentWorkflow.class, WorkflowOptions.newBuilder()
        .setTaskQueue(QUEUE)
        .setWorkflowId(DeploymentIds.workflowId("local", service, "default"))
        .setTypedSearchAttributes(SearchAttributes.newBuilder()
            .set(DeploymentAttributes.SERVICE, service).set(DeploymentAttributes.STATE, "RUNNING").build())
        .build());
    WorkflowClient.start(wf::deploy, new DeploymentRequest("/p/" + service, "default", "local", service, null,
        "test", false, null));
    return WorkflowStub.fromTyped(wf);
  }

  private DeploymentReport result(WorkflowStub stub) {
    stub.getResult(DeploymentReport.class);
    return memo(stub);
  }

  private DeploymentReport memo(WorkflowStub stub) {
    return client.newUntypedWorkflowStub(stub.getExecution().getWorkflowId(),
            Optional.of(stub.getExecution().getRunId()), Optional.empty())
        .describe().getMemo(DeploymentAttributes.REPORT_MEMO, DeploymentReport.class, DeploymentReport.class);
  }

  /** Polls the run's report (about 10 s at most) until one of its steps matches. */
  private StepReport awaitStep(WorkflowStub stub, Predicate<StepReport> wanted) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      DeploymentReport report = memo(stub);
      if (report != null) {
        Optional<StepReport> step = report.steps().stream().filter(wanted).findFirst();
        if (step.isPresent()) {
          return step.get();
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no such step in " + memo(stub));
  }

  private void awaitHolder(String lockId, String workflowId) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      try {
        LockHolder holder = lockState(lockId).holder();
        if (holder != null && holder.workflowId().equals(workflowId)) {
          return;
        }
      } catch (RuntimeException notStartedYet) {
        // the lock workflow starts with the first request
      }
      Thread.sleep(100);
    }
    throw new AssertionError(workflowId + " never held " + lockId);
  }

  private LockState lockState(String lockId) {
    return client.newWorkflowStub(DatabaseLockWorkflow.class, lockId).state();
  }

  private static StepReport step(DeploymentReport report, String name) {
    return report.steps().stream().filter(s -> s.name().equals(name)).reduce((a, b) -> b).orElseThrow();
  }

  private static List<String> stepNames(DeploymentReport report) {
    return report.steps().stream().map(StepReport::name).toList();
  }

  private static List<String> concat(List<String> a, String b) {
    List<String> all = new ArrayList<>(a);
    all.add(b);
    return all;
  }
}
