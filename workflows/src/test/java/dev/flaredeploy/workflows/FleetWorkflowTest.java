package dev.flaredeploy.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.FleetMember;
import dev.flaredeploy.workflows.model.FleetMemberReport;
import dev.flaredeploy.workflows.model.FleetOptions;
import dev.flaredeploy.workflows.model.FleetReport;
import dev.flaredeploy.workflows.model.FleetRequest;
import dev.flaredeploy.workflows.model.Release;
import dev.flaredeploy.workflows.model.SchemaReport;
import dev.flaredeploy.workflows.model.SmokeOutcome;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fleet workflow on the time-skipping test server: with {@link FakeMember}s (fast, ending by their
 * environment's name) for waves, budgets, cancel and a 500-member fleet, and with real {@link
 * DeploymentWorkflowImpl} members over {@link FakeActivities} where what a member does matters.
 */
class FleetWorkflowTest {
  private static final String QUEUE = "fleet-test";
  private static final String FLEET_ID = "fleet:local:svc:*";
  private TestWorkflowEnvironment env;
  private WorkflowClient client;

  @AfterEach
  void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void canaryFirstThenParallelAtATimeAndEveryMemberUnderItsOwnDeploymentId() {
    startWith(FakeMember.class);

    FleetReport report = run(fleet(new FleetOptions(1, 2, 0, false), "a", "b", "c", "d", "e"));

    assertThat(report.state()).isEqualTo("SUCCEEDED");
    assertThat(report.members()).extracting(FleetMemberReport::state).containsOnly("SUCCEEDED");
    assertThat(report.members()).extracting(FleetMemberReport::id)
        .containsExactly("deploy:local:svc:a", "deploy:local:svc:b", "deploy:local:svc:c", "deploy:local:svc:d",
            "deploy:local:svc:e");
    FleetMemberReport canary = report.members().get(0);
    assertThat(report.members().subList(1, 5)).allSatisfy(m ->
        assertThat(Instant.parse(m.startedAt())).isAfterOrEqualTo(Instant.parse(canary.finishedAt())));
    assertThat(maxOverlap(report.members())).isEqualTo(2);
    assertThat(report.summary()).contains("5 members: 5 succeeded");
    DeploymentReport member = client.newWorkflowStub(DeploymentWorkflow.class, "deploy:local:svc:c").progress();
    assertThat(member.state()).as("each member is a deployment under its usual id").isEqualTo("SUCCEEDED");
  }

  @Test
  void aFailureBeyondTheBudgetStartsNoOtherMemberRunningOnesFinishAndTheRestAreSkipped() {
    startWith(FakeMember.class);

    FleetReport report = runFailing(fleet(new FleetOptions(1, 2, 0, false), "a", "fail-b", "c", "d", "e"));

    assertThat(report.state()).isEqualTo("FAILED");
    assertThat(states(report)).containsExactly("SUCCEEDED", "ROLLED_BACK", "SUCCEEDED", "SKIPPED", "SKIPPED");
    FleetMemberReport failed = report.members().get(1);
    assertThat(failed.summary()).isEqualTo("smoke-test failed; the previous release is live again");
    assertThat(report.members().get(3).summary()).contains("not started", "failure budget of 0");
    assertThat(report.members().get(3).runId()).as("never started").isNull();
    assertThat(report.members()).filteredOn(m -> m.startedAt() != null)
        .allSatisfy(m -> assertThat(Instant.parse(m.startedAt())).isBeforeOrEqualTo(Instant.parse(failed.finishedAt())));
    assertThat(report.failed()).isEqualTo(1);
    assertThat(report.skipped()).isEqualTo(2);
    assertThat(report.summary()).contains("failure budget", "--max-failures 0");
    assertThatThrownBy(() -> client.newWorkflowStub(DeploymentWorkflow.class, "deploy:local:svc:d").progress())
        .as("a skipped member has no deployment").isInstanceOf(RuntimeException.class);
  }

  @Test
  void aMemberThatNeedsAPersonMakesTheFleetNeedOneAndSaysWhere() {
    startWith(FakeMember.class);

    FleetReport report = runFailing(fleet(new FleetOptions(0, 2, 5, false), "a", "attention-b", "c"));

    assertThat(report.state()).isEqualTo("NEEDS_ATTENTION");
    assertThat(states(report)).containsExactly("SUCCEEDED", "NEEDS_ATTENTION", "SUCCEEDED");
    assertThat(report.actionsRequired()).singleElement().asString()
        .contains("deploy:local:svc:attention-b", "flaredeploy status");
  }

  @Test
  void cancellingTheFleetCancelsItsRunningMembersWhichUndoAndSkipsTheRest() throws Exception {
    startWith(FakeMember.class);
    WorkflowStub fleet = start(fleet(new FleetOptions(0, 2, 0, false), "hold-a", "hold-b", "c", "d"));
    awaitRunning(fleet, 2);

    fleet.cancel("test");

    WorkflowFailedException e = catchFailure(fleet);
    assertThat(e.getCause()).isInstanceOf(CanceledFailure.class);
    FleetReport report = client.newWorkflowStub(FleetWorkflow.class, FLEET_ID).progress();
    assertThat(report.state()).isEqualTo("CANCELLED");
    assertThat(states(report)).containsExactly("CANCELLED", "CANCELLED", "SKIPPED", "SKIPPED");
    assertThat(report.members().get(2).summary()).isEqualTo("not started: the fleet was cancelled");
  }

  @Test
  void aMemberWhoseDeploymentIsAlreadyRunningFailsWithoutTouchingItAndCountsAgainstTheBudget() throws Exception {
    startWith(FakeMember.class);
    WorkflowStub alone = client.newUntypedWorkflowStub("Deployment",
        WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId("deploy:local:svc:hold-b").build());
    alone.start(request("svc", "hold-b"));

    FleetReport report = runFailing(fleet(new FleetOptions(0, 2, 0, false), "a", "hold-b", "c"));

    assertThat(states(report)).containsExactly("SUCCEEDED", "FAILED", "SKIPPED");
    assertThat(report.members().get(1).summary()).contains("already running", "left alone");
    // it runs its course: not cancelled, not replaced
    assertThat(alone.describe().getStatus().name()).as("the deployment that ran on its own")
        .isIn("WORKFLOW_EXECUTION_STATUS_RUNNING", "WORKFLOW_EXECUTION_STATUS_COMPLETED");
    assertThat(client.newUntypedWorkflowStub("deploy:local:svc:hold-b").describe().getExecution().getRunId())
        .isEqualTo(alone.getExecution().getRunId());
  }

  @Test
  void aWorkerThatBindsAnotherOfTheFleetStartsOnlyOnceItSucceededAndIsSkippedWhenItDidNot() {
    startWith(FakeMember.class);
    FleetRequest fleet = new FleetRequest("api web", "local", List.of(
        member("api", "fail-production"), member("web", "production", 0), member("jobs", "production")),
        new FleetOptions(0, 3, 5, false), "test", null, null, 0, false);

    FleetReport report = runFailing(fleet);

    assertThat(states(report)).containsExactly("ROLLED_BACK", "SKIPPED", "SUCCEEDED");
    assertThat(report.members().get(1).summary()).isEqualTo(
        "not started: it binds api (fail-production), which ended ROLLED_BACK");
  }

  /**
   * 500 members, 20 at a time: the fleet continues as new every {@value FleetWorkflowImpl#MEMBERS_PER_RUN} members,
   * so no run's history grows with the fleet; the query answers mid-fleet with every member, and the memo stays
   * small.
   */
  @Test
  void fiveHundredMembersCompleteContinuingAsNewWithSmallHistoriesAndTheQueryAnswers() throws Exception {
    startWith(FakeMember.class);
    String[] environments = IntStream.range(0, 500).mapToObj(i -> String.format("tenant-%03d", i))
        .toArray(String[]::new);
    WorkflowStub fleet = start(fleet(new FleetOptions(1, 20, 0, false), environments));

    env.sleep(Duration.ofMinutes(12));
    FleetReport midway = client.newWorkflowStub(FleetWorkflow.class, FLEET_ID).progress();
    assertThat(midway.members()).hasSize(500);
    assertThat(midway.succeeded()).isBetween(1, 499);
    assertThat(midway.pending()).isPositive();

    FleetReport report = fleet.getResult(60, TimeUnit.SECONDS, FleetReport.class);

    assertThat(report.state()).isEqualTo("SUCCEEDED");
    assertThat(report.succeeded()).isEqualTo(500);
    assertThat(report.members()).extracting(FleetMemberReport::state).containsOnly("SUCCEEDED");
    assertThat(report.runs()).as("continued as new").isEqualTo(500 / FleetWorkflowImpl.MEMBERS_PER_RUN);
    assertThat(report.runId()).isNotEqualTo(fleet.getExecution().getRunId());
    assertThat(client.fetchHistory(FLEET_ID).getEvents()).as("events of the last run").hasSizeLessThan(2_000);
    assertThat(maxOverlap(report.members())).isEqualTo(20);
    FleetReport afterwards = client.newWorkflowStub(FleetWorkflow.class, FLEET_ID).progress();
    assertThat(afterwards.members()).hasSize(500);
    WorkflowExecutionDescription description = client.newUntypedWorkflowStub(FLEET_ID).describe();
    var memo = description.getRawDescription().getWorkflowExecutionInfo().getMemo().getFieldsMap();
    assertThat(memo.get(DeploymentAttributes.FLEET_MEMO).getSerializedSize()).as("memo bytes").isLessThan(2_000);
    FleetReport listed = description.getMemo(DeploymentAttributes.FLEET_MEMO, FleetReport.class, FleetReport.class);
    assertThat(listed.succeeded()).isEqualTo(500);
    assertThat(listed.members()).isEmpty();
  }

  // ---- real deployments as members ------------------------------------------------------------------------

  @Test
  void aRealMemberThatFailsItsSmokeTestIsRolledBackByItselfAndTheFleetStops() {
    FleetActivities world = new FleetActivities();
    startWith(DeploymentWorkflowImpl.class, world);

    FleetReport report = runFailing(fleet(new FleetOptions(1, 1, 0, false), "a", "bad-b", "c"));

    assertThat(states(report)).containsExactly("SUCCEEDED", "ROLLED_BACK", "SKIPPED");
    assertThat(report.members().get(0).step()).isEqualTo(Steps.SMOKE_TEST);
    DeploymentReport failed = client.newWorkflowStub(DeploymentWorkflow.class, "deploy:local:svc:bad-b").progress();
    assertThat(failed.steps()).extracting(s -> s.name()).contains(Steps.ROLLBACK_WORKER);
    assertThat(report.members().get(1).summary()).isEqualTo(failed.summary());
  }

  @Test
  void allOrNothingRunsEveryMembersChecksFirstAndChangesNothingWhenOneFails() {
    FleetActivities world = new FleetActivities();
    startWith(DeploymentWorkflowImpl.class, world);

    FleetReport report = runFailing(fleet(new FleetOptions(1, 2, 5, true), "a", "blocked-b", "c"));

    assertThat(states(report)).containsExactly("SKIPPED", "FAILED", "SKIPPED");
    assertThat(report.members().get(1).step()).isEqualTo(Steps.VALIDATE_SCHEMA);
    assertThat(report.members().get(1).summary()).contains("--all-or-nothing", "freeze window");
    assertThat(report.members().get(0).summary()).contains("--all-or-nothing", "1 member failed their checks");
    assertThat(world.calls).as("nothing past the checks ran").containsOnly(Steps.PREPARE, Steps.VALIDATE_SCHEMA);
  }

  @Test
  void withoutAllOrNothingAMemberBlockedByAPolicyIsAFailedMemberNotAnAbort() {
    FleetActivities world = new FleetActivities();
    startWith(DeploymentWorkflowImpl.class, world);

    FleetReport report = runFailing(fleet(new FleetOptions(0, 1, 1, false), "blocked-a", "b"));

    assertThat(states(report)).containsExactly("FAILED", "SUCCEEDED");
    assertThat(report.members().get(0).summary()).contains("validate-schema failed before anything changed");
  }

  @Test
  void allOrNothingWithEveryCheckPassingDeploysEveryMember() {
    FleetActivities world = new FleetActivities();
    startWith(DeploymentWorkflowImpl.class, world);

    FleetReport report = run(fleet(new FleetOptions(1, 2, 0, true), "a", "b"));

    assertThat(states(report)).containsExactly("SUCCEEDED", "SUCCEEDED");
    assertThat(world.calls.subList(0, 4)).as("both members' checks (at once) before any member")
        .containsExactlyInAnyOrder(Steps.PREPARE, Steps.PREPARE, Steps.VALIDATE_SCHEMA, Steps.VALIDATE_SCHEMA);
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  /**
   * FakeActivities with a live release per environment, whose smoke test fails for environments named bad-…, and
   * whose policies block blocked-….
   */
  static class FleetActivities extends FakeActivities {
    private static final ObjectMapper JSON = new ObjectMapper();
    final java.util.Map<String, String> livePerEnvironment = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public SchemaReport validateSchema(DeploymentPlan plan) {
      SchemaReport report = super.validateSchema(plan);
      if (plan.environment().startsWith("blocked-")) {
        throw ApplicationFailure.newNonRetryableFailure("policy freeze: " + plan.environment()
            + " is in the freeze window friday-afternoon", FailureTypes.POLICY_BLOCKED, 1);
      }
      // the same report with this environment's live release (through JSON: whatever fields it has)
      java.util.Map<String, Object> json = JSON.convertValue(report, new TypeReference<>() {});
      json.put("liveRelease", livePerEnvironment.get(plan.environment()));
      return JSON.convertValue(json, SchemaReport.class);
    }

    @Override
    public Release deployWorker(DeploymentPlan plan) {
      Release release = super.deployWorker(plan);
      livePerEnvironment.put(plan.environment(), release.version());
      return release;
    }

    @Override
    public SmokeOutcome smokeTest(DeploymentPlan plan, Release release) {
      if (plan.environment().startsWith("bad-")) {
        calls.add(Steps.SMOKE_TEST);
        throw ApplicationFailure.newNonRetryableFailure("GET /health answered 503", FailureTypes.SMOKE_TEST_FAILED, 1);
      }
      return super.smokeTest(plan, release);
    }
  }

  private void startWith(Class<? extends DeploymentWorkflow> memberType) {
    startWith(memberType, new FakeActivities());
  }

  private void startWith(Class<? extends DeploymentWorkflow> memberType, DeploymentActivities activities) {
    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder();
    DeploymentAttributes.ALL.forEach(
        k -> options.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    env = TestWorkflowEnvironment.newInstance(options.build());
    Worker worker = env.newWorker(QUEUE);
    if (memberType == DeploymentWorkflowImpl.class) {
      worker.registerWorkflowImplementationTypes(Workflows.IMPLEMENTATIONS.toArray(Class<?>[]::new));
    } else {
      worker.registerWorkflowImplementationTypes(FleetWorkflowImpl.class, memberType);
    }
    worker.registerActivitiesImplementations(activities, Workflows.lockActivities(env.getWorkflowClient()));
    env.start();
    client = env.getWorkflowClient();
  }

  private WorkflowStub start(FleetRequest request) {
    FleetWorkflow fleet = client.newWorkflowStub(FleetWorkflow.class,
        WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId(FLEET_ID).build());
    WorkflowClient.start(fleet::deploy, request);
    return WorkflowStub.fromTyped(fleet);
  }

  private FleetReport run(FleetRequest request) {
    return start(request).getResult(FleetReport.class);
  }

  /** A fleet that does not succeed fails, its report in the failure's details. */
  private FleetReport runFailing(FleetRequest request) {
    WorkflowFailedException e = catchFailure(start(request));
    assertThat(e.getCause()).isInstanceOf(ApplicationFailure.class);
    ApplicationFailure failure = (ApplicationFailure) e.getCause();
    assertThat(failure.getType()).isEqualTo(FailureTypes.FLEET_FAILED);
    return failure.getDetails().get(0, FleetReport.class);
  }

  private static WorkflowFailedException catchFailure(WorkflowStub stub) {
    try {
      stub.getResult(FleetReport.class);
    } catch (WorkflowFailedException e) {
      return e;
    }
    throw new AssertionError("the fleet succeeded");
  }

  private void awaitRunning(WorkflowStub fleet, int members) throws Exception {
    for (int i = 0; i < 200; i++) {
      FleetReport now = client.newWorkflowStub(FleetWorkflow.class, FLEET_ID).progress();
      if (now != null && now.running() == members
          && now.members().stream().filter(m -> m.runId() != null).count() == members) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the fleet never had " + members + " members running");
  }

  private static FleetRequest fleet(FleetOptions options, String... environments) {
    List<FleetMember> members = Arrays.stream(environments).map(e -> member("svc", e)).toList();
    return new FleetRequest("svc --env *", "local", members, options, "test", null, null, 0, false);
  }

  private static FleetMember member(String service, String environment, Integer... after) {
    return new FleetMember(request(service, environment), "c0ffee", false, List.of(after));
  }

  private static DeploymentRequest request(String service, String environment) {
    return new DeploymentRequest("/p/" + service, environment, "local", service, null, "test", false, null);
  }

  private static List<String> states(FleetReport report) {
    return report.members().stream().map(FleetMemberReport::state).toList();
  }

  /** The most members that ran at the same time, from their start and end times. */
  private static int maxOverlap(List<FleetMemberReport> members) {
    List<long[]> events = new ArrayList<>();
    for (FleetMemberReport m : members) {
      if (m.startedAt() != null) {
        events.add(new long[] {Instant.parse(m.startedAt()).toEpochMilli(), 1});
        events.add(new long[] {Instant.parse(m.finishedAt()).toEpochMilli(), -1});
      }
    }
    events.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
    int now = 0;
    int max = 0;
    for (long[] e : events) {
      now += (int) e[1];
      max = Math.max(max, now);
    }
    return max;
  }
}
