package dev.flaredeploy.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flaredeploy.workflows.model.CheckFinding;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.RolloutPlan;
import dev.flaredeploy.workflows.model.RolloutStepReport;
import dev.flaredeploy.workflows.model.StepReport;
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
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Workflow logic against an in-memory world (real Temporal test server, fake activities). */
class DeploymentWorkflowTest {
  private static final String QUEUE = "test";
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private FakeActivities world;

  @BeforeEach
  void start() {
    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder();
    DeploymentAttributes.ALL.forEach(
        k -> options.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    env = TestWorkflowEnvironment.newInstance(options.build());
    world = new FakeActivities();
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(Workflows.IMPLEMENTATIONS.toArray(Class<?>[]::new));
    worker.registerActivitiesImplementations(world, Workflows.lockActivities(env.getWorkflowClient()));
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void freshDeploymentRunsEveryStepAndSucceeds() {
    DeploymentReport report = deploy();

    assertThat(report.state()).isEqualTo("SUCCEEDED");
    assertThat(stepNames(report))
        .containsExactly("prepare", "validate-schema", "checkpoint", "apply-migrations", "deploy-worker", "smoke-test");
    assertThat(report.steps()).allSatisfy(s -> {
      assertThat(s.state()).isEqualTo("SUCCEEDED");
      assertThat(s.attempts()).isEqualTo(1);
      assertThat(s.finishedAt()).isNotNull();
    });
    assertThat(report.databases().get(0).applied()).containsExactly("0001_init.sql", "0002_add.sql");
    assertThat(report.databases().get(0).checkpoint()).isEqualTo("/checkpoints/DB.sql");
    assertThat(report.release().version()).isEqualTo(world.sourceId);
    assertThat(report.release().previousVersion()).isNull();
    assertThat(world.live).isEqualTo(world.sourceId);
  }

  @Test
  void redeployOfTheSameSourceIsANoOp() {
    deploy();
    world.calls.clear();

    DeploymentReport again = deploy();

    assertThat(again.state()).isEqualTo("SUCCEEDED");
    assertThat(again.summary()).startsWith("nothing to do");
    assertThat(world.calls).containsExactly("prepare", "validate-schema");
  }

  @Test
  void checksThatWarnedAreKeptInTheReportAndTheStepDetailWithoutWhatOnlyInforms() {
    CheckFinding drift = new CheckFinding(CheckFinding.WARNING, "DB", "column notes.priority", "drift",
        "DB: column notes.priority exists in the live database but no applied migration creates it", List.of());
    CheckFinding classified = new CheckFinding(CheckFinding.INFO, "DB", "0002_add.sql", "ADDITIVE",
        "DB 0002_add.sql: ADDITIVE", List.of());
    world.checkResults = List.of(
        new CheckResult("migrations", CheckResult.PASSED, null, List.of(classified), null),
        new CheckResult("drift", CheckResult.WARNED, null, List.of(drift), "bring the database back in line"));

    DeploymentReport report = deploy();

    assertThat(report.state()).isEqualTo("SUCCEEDED");
    assertThat(report.checks()).containsExactly(
        new CheckResult("drift", CheckResult.WARNED, null, List.of(drift), "bring the database back in line"));
    assertThat(report.steps().get(1).detail()).contains("migrations passed: 0002_add.sql ADDITIVE",
        "drift warned: DB: column notes.priority exists in the live database");
  }

  @Test
  void checksThatBlockedAreKeptInTheReportOfTheFailedDeployment() {
    CheckResult data = new CheckResult("data", CheckResult.BLOCKED, FailureTypes.DATA_CONFLICT, List.of(
        new CheckFinding(CheckFinding.ERROR, "DB", "0002_add.sql", "unique", "DB 0002_add.sql fails on the rows",
            List.of("slug = 'a' (2 rows)"))), "make the rows fit");
    world.checkResults = List.of(data);
    world.blockChecks = true;

    DeploymentReport report = deployExpectingFailure();

    assertThat(report.state()).isEqualTo("FAILED");
    assertThat(report.error().type()).isEqualTo(FailureTypes.DATA_CONFLICT);
    assertThat(report.checks()).containsExactly(data);
    assertThat(world.calls).containsExactly("prepare", "validate-schema");
  }

  @Test
  void aNewMigrationAloneIsAppliedWithoutANewRelease() {
    deploy();
    world.files.add("0003_more.sql");
    world.calls.clear();

    DeploymentReport report = deploy();

    assertThat(report.state()).isEqualTo("SUCCEEDED");
    assertThat(report.databases().get(0).applied()).containsExactly("0003_more.sql");
    assertThat(world.calls).doesNotContain("rollback-worker", "restore-database");
    assertThat(world.live).isEqualTo(world.sourceId);
  }

  @Test
  void failedMigrationRestoresTheDatabaseAndLeavesTheLiveReleaseAlone() {
    deploy();
    String live = world.live;
    world.files.add("0003_ok.sql");
    world.files.add("0004_bad.sql");
    world.failMigration = "0004_bad.sql";
    world.sourceId = "src-bbbbbbbbbbbbbbbb";
    world.calls.clear();

    DeploymentReport report = deployExpectingFailure();

    assertThat(report.state()).isEqualTo("ROLLED_BACK");
    assertThat(report.error().step()).isEqualTo("apply-migrations");
    assertThat(report.error().type()).isEqualTo(FailureTypes.MIGRATION_FAILED);
    assertThat(report.error().message()).contains("0004_bad.sql", "syntax error");
    assertThat(world.ledger).containsExactly("0001_init.sql", "0002_add.sql");
    assertThat(world.live).isEqualTo(live);
    assertThat(world.calls).doesNotContain("deploy-worker", "rollback-worker");
    assertThat(stateOf(report, "restore-database")).isEqualTo("SUCCEEDED");
  }

  @Test
  void failedSmokeTestRollsBackTheReleaseAndKeepsMigrationsByDefault() {
    deploy();
    String previous = world.live;
    world.files.add("0003_more.sql");
    world.sourceId = "src-cccccccccccccccc";
    world.failSmoke = true;

    DeploymentReport report = deployExpectingFailure();

    assertThat(report.state()).isEqualTo("ROLLED_BACK");
    assertThat(report.error().type()).isEqualTo(FailureTypes.SMOKE_TEST_FAILED);
    assertThat(world.live).isEqualTo(previous);
    assertThat(world.ledger).contains("0003_more.sql");
    assertThat(stateOf(report, "restore-database DB")).isEqualTo("SKIPPED");
    assertThat(report.summary()).contains("previous release is live again", "keeps its migrations");
  }

  @Test
  void failedSmokeTestAlsoRestoresTheDatabaseWhenPolicySaysSo() {
    deploy();
    world.files.add("0003_more.sql");
    world.sourceId = "src-dddddddddddddddd";
    world.failSmoke = true;
    world.restoreDatabaseOn = List.of("apply-migrations", "smoke-test");

    DeploymentReport report = deployExpectingFailure();

    assertThat(report.state()).isEqualTo("ROLLED_BACK");
    assertThat(world.ledger).doesNotContain("0003_more.sql");
    List<String> names = stepNames(report);
    assertThat(names.indexOf("rollback-worker")).isLessThan(names.lastIndexOf("restore-database"));
  }

  @Test
  void compensationThatCannotCompleteEndsNeedingAttentionWithWhatToDo() {
    deploy();
    world.sourceId = "src-eeeeeeeeeeeeeeee";
    world.failSmoke = true;
    world.failRollback = true;

    DeploymentReport report = deployExpectingFailure();

    assertThat(report.state()).isEqualTo("NEEDS_ATTENTION");
    assertThat(report.actionsRequired()).singleElement().asString()
        .contains("put release src-aaaaaaaaaaaaaaaa live again", "port 8787 is held");
  }

  @Test
  void cancelDuringTheSmokeTestUndoesEverythingAndEndsCancelled() throws Exception {
    deploy();
    world.files.add("0003_more.sql");
    world.sourceId = "src-ffffffffffffffff";
    world.holdSmoke = new CountDownLatch(1);
    WorkflowStub stub = startUntyped();

    assertThat(world.holdSmoke.await(30, TimeUnit.SECONDS)).isTrue();
    stub.cancel("changed my mind");

    assertThatThrownBy(() -> stub.getResult(DeploymentReport.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    DeploymentReport report = memo(stub);
    assertThat(report.state()).isEqualTo("CANCELLED");
    assertThat(world.live).isEqualTo("src-aaaaaaaaaaaaaaaa");
    assertThat(world.ledger).doesNotContain("0003_more.sql");
  }

  // ---- gradual rollout ----

  private static final RolloutPlan TEN_FIFTY_HUNDRED = new RolloutPlan(List.of(10, 50, 100), 300_000);

  @Test
  void firstReleaseWithARolloutGoesOutAtOnceAndSaysWhy() {
    world.rollout = TEN_FIFTY_HUNDRED;

    DeploymentReport report = deploy();

    assertThat(report.state()).isEqualTo("SUCCEEDED");
    assertThat(world.calls).contains("deploy-worker").doesNotContain("upload-version", "shift-traffic");
    assertThat(report.release().rollout().note()).startsWith("all at once: this is the Worker's first release");
    assertThat(report.release().rollout().steps()).isEmpty();
  }

  @Test
  void gradualRolloutShiftsTrafficStepByStepCheckingTheNewVersionThroughEachSoak() {
    deploy();
    String previous = world.live;
    world.rollout = TEN_FIFTY_HUNDRED;
    world.sourceId = "src-1111111111111111";
    world.calls.clear();

    DeploymentReport report = deploy();

    assertThat(report.state()).as(report.summary()).isEqualTo("SUCCEEDED");
    assertThat(report.summary()).contains("rolled out gradually (10 % → 50 % → 100 %)");
    assertThat(world.shifts).containsExactly(0, 10, 50, 100);
    assertThat(world.live).isEqualTo("src-1111111111111111");
    assertThat(world.calls).doesNotContain("deploy-worker", "rollback-worker");
    // checked at 0 % before any traffic, then after the split settled, every 30 s and at the end of a 5m soak
    assertThat(world.versionChecks).containsEntry(0, 1);
    assertThat(world.versionChecks.get(10)).isEqualTo(11);
    assertThat(world.versionChecks.get(50)).isEqualTo(11);
    assertThat(world.versionChecks.get(100)).isEqualTo(11);
    assertThat(stepNames(report)).containsSubsequence("checkpoint", "upload-version", "shift-traffic",
        "smoke-test-version", "shift-traffic", "soak", "shift-traffic", "soak", "shift-traffic", "soak",
        "smoke-test");
    assertThat(report.release().previousVersion()).isEqualTo(previous);
    assertThat(report.release().rollout().versionId()).isEqualTo("v-src-1111111111111111");
    assertThat(report.release().rollout().steps()).extracting(RolloutStepReport::percent, RolloutStepReport::result)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "PASSED"),
            org.assertj.core.groups.Tuple.tuple(10, "PASSED"), org.assertj.core.groups.Tuple.tuple(50, "PASSED"),
            org.assertj.core.groups.Tuple.tuple(100, "PASSED"));
    assertThat(report.release().rollout().steps().get(2).soakMillis()).isEqualTo(300_000);
    assertThat(report.release().rollout().steps().get(2).detail()).startsWith("11 check round(s) passed over 5m");
  }

  @Test
  void failingChecksAtFiftyPercentSendAllTrafficBackToThePreviousVersion() {
    deploy();
    String previous = world.live;
    world.files.add("0003_more.sql");
    world.rollout = TEN_FIFTY_HUNDRED;
    world.sourceId = "src-2222222222222222";
    world.failVersionChecksAt = 50;

    DeploymentReport report = deployExpectingFailure();

    assertThat(report.state()).as(report.summary()).isEqualTo("ROLLED_BACK");
    assertThat(report.summary()).contains("previous release is live again", "keeps its migrations");
    assertThat(report.error().step()).isEqualTo("soak");
    assertThat(report.error().type()).isEqualTo(FailureTypes.SMOKE_TEST_FAILED);
    assertThat(world.shifts).containsExactly(0, 10, 50);
    assertThat(world.live).isEqualTo(previous);
    assertThat(world.ledger).contains("0003_more.sql"); // smoke-test is not in restore_database_on
    assertThat(stateOf(report, "rollback-worker")).isEqualTo("SUCCEEDED");
    assertThat(stateOf(report, "soak")).isEqualTo("FAILED");
    assertThat(report.release().rollout().steps()).extracting(RolloutStepReport::percent, RolloutStepReport::result)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "PASSED"),
            org.assertj.core.groups.Tuple.tuple(10, "PASSED"), org.assertj.core.groups.Tuple.tuple(50, "FAILED"),
            org.assertj.core.groups.Tuple.tuple(100, "NOT_RUN"));
    assertThat(report.release().rollout().steps().get(2).detail()).contains("answered 500");
  }

  @Test
  void aFailedRolloutCheckRestoresTheDatabaseWhenSmokeTestIsInRestoreDatabaseOn() {
    deploy();
    world.files.add("0003_more.sql");
    world.rollout = TEN_FIFTY_HUNDRED;
    world.sourceId = "src-3333333333333333";
    world.failVersionChecksAt = 0;
    world.restoreDatabaseOn = List.of("apply-migrations", "smoke-test");

    DeploymentReport report = deployExpectingFailure();

    assertThat(report.state()).isEqualTo("ROLLED_BACK");
    assertThat(report.error().step()).isEqualTo("smoke-test-version");
    assertThat(world.shifts).containsExactly(0);
    assertThat(world.ledger).doesNotContain("0003_more.sql");
  }

  @Test
  void cancelDuringASoakSendsAllTrafficBackAndEndsCancelled() throws Exception {
    deploy();
    String previous = world.live;
    world.rollout = new RolloutPlan(List.of(10, 50, 100), 3_600_000);
    world.sourceId = "src-4444444444444444";
    world.checkedAt = new CountDownLatch(1);
    world.signalChecksAt = 10;
    WorkflowStub stub = startUntyped();

    assertThat(world.checkedAt.await(30, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(500); // the check returned: the workflow now waits on the soak's timer
    stub.cancel("saw errors in the dashboard");

    assertThatThrownBy(() -> stub.getResult(DeploymentReport.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    DeploymentReport report = memo(stub);
    assertThat(report.state()).isEqualTo("CANCELLED");
    assertThat(world.live).isEqualTo(previous);
    assertThat(world.shifts).containsExactly(0, 10);
    assertThat(stateOf(report, "soak")).isEqualTo("CANCELLED");
    assertThat(stateOf(report, "rollback-worker")).isEqualTo("SUCCEEDED");
    assertThat(report.release().rollout().steps()).extracting(RolloutStepReport::percent, RolloutStepReport::result)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "PASSED"),
            org.assertj.core.groups.Tuple.tuple(10, "CANCELLED"), org.assertj.core.groups.Tuple.tuple(50, "NOT_RUN"),
            org.assertj.core.groups.Tuple.tuple(100, "NOT_RUN"));
  }

  @Test
  void badConfigurationFailsBeforeAnythingChangedWithItsType() {
    world.failPrepare = true;

    DeploymentReport report = deployExpectingFailure();

    assertThat(report.state()).isEqualTo("FAILED");
    assertThat(report.error().type()).isEqualTo(FailureTypes.CONFIG_INVALID);
    assertThat(report.error().message()).contains("wrangler.toml:3");
    assertThat(world.calls).containsExactly("prepare");
  }

  @Test
  void finishedRunsRecordTheirStateAsASearchAttribute() {
    deploy();
    WorkflowStub stub = client.newUntypedWorkflowStub(workflowId());
    SearchAttributes attributes = stub.describe().getTypedSearchAttributes();
    assertThat(attributes.get(DeploymentAttributes.STATE)).isEqualTo("SUCCEEDED");
    assertThat(attributes.get(DeploymentAttributes.SERVICE)).isEqualTo("svc");
  }

  // ---------------------------------------------------------------------------------------------

  private DeploymentReport deploy() {
    WorkflowStub stub = startUntyped();
    stub.getResult(DeploymentReport.class);
    return memo(stub);
  }

  private DeploymentReport deployExpectingFailure() {
    WorkflowStub stub = startUntyped();
    assertThatThrownBy(() -> stub.getResult(DeploymentReport.class))
        .isInstanceOf(WorkflowFailedException.class);
    return memo(stub);
  }

  private WorkflowStub startUntyped() {
    DeploymentWorkflow wf = client.newWorkflowStub(DeploymentWorkflow.class,
        WorkflowOptions.newBuilder()
            .setTaskQueue(QUEUE)
            .setWorkflowId(workflowId())
            .setTypedSearchAttributes(SearchAttributes.newBuilder()
                .set(DeploymentAttributes.SERVICE, "svc")
                .set(DeploymentAttributes.STATE, "RUNNING")
                .build())
            .build());
    WorkflowClient.start(wf::deploy, new DeploymentRequest("/p", "default", "local", "svc", null, "test", false, null));
    return WorkflowStub.fromTyped(wf);
  }

  private static String workflowId() {
    return DeploymentIds.workflowId("local", "svc", "default");
  }

  private DeploymentReport memo(WorkflowStub stub) {
    return client.newUntypedWorkflowStub(stub.getExecution().getWorkflowId(),
            java.util.Optional.of(stub.getExecution().getRunId()), java.util.Optional.empty())
        .describe().getMemo(DeploymentAttributes.REPORT_MEMO, DeploymentReport.class, DeploymentReport.class);
  }

  private static List<String> stepNames(DeploymentReport report) {
    return report.steps().stream().map(StepReport::name).toList();
  }

  private static String stateOf(DeploymentReport report, String name) {
    return report.steps().stream()
        .filter(s -> s.name().equals(name) || s.name().startsWith(name))
        .map(StepReport::state)
        .reduce((a, b) -> b)
        .orElse("absent");
  }
}
