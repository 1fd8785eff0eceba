package dev.flaredeploy.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flaredeploy.workflows.model.ApprovalDecision;
import dev.flaredeploy.workflows.model.ApprovalOutcome;
import dev.flaredeploy.workflows.model.ApprovalSettings;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.FleetMember;
import dev.flaredeploy.workflows.model.FleetMemberReport;
import dev.flaredeploy.workflows.model.FleetOptions;
import dev.flaredeploy.workflows.model.FleetReport;
import dev.flaredeploy.workflows.model.FleetRequest;
import dev.flaredeploy.workflows.model.NotifyTarget;
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
    // it runs its course: not cancelled, not replaced (once the fleet is done, time skipping may run its
    // await-forever stand-in into the test server's default timeout; that is not the fleet's doing)
    assertThat(alone.describe().getStatus().name()).as("the deployment that ran on its own")
        .isNotIn("WORKFLOW_EXECUTION_STATUS_CANCELED", "WORKFLOW_EXECUTION_STATUS_TERMINATED");
    assertThat(client.fetchHistory("deploy:local:svc:hold-b").getEvents())
        .as("nobody asked the deployment that ran on its own to stop")
        .noneMatch(e -> e.hasWorkflowExecutionCancelRequestedEventAttributes()
            || e.hasWorkflowExecutionTerminatedEventAttributes());
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


  // ---- members that need an approval ------------------------------------------------------------------------

  /**
   * A member whose environment requires an approval waits as a child under its own id, in WAITING_FOR_APPROVAL,
   * changing nothing; the fleet counts it as running: the next members start around it and the budget is untouched.
   * Approved by its own id, it deploys and the fleet succeeds.
   */
  @Test
  void aMemberWaitingForApprovalCountsAsRunningWhileOthersDeployAndProceedsWhenApprovedByItsOwnId() throws Exception {
    GatedActivities world = new GatedActivities();
    startWith(DeploymentWorkflowImpl.class, world, new FakeProduction());
    WorkflowStub fleet = start(fleet(new FleetOptions(1, 2, 0, false), "a", "gated-b", "c", "d"));

    DeploymentReport waiting = awaitMember("deploy:local:svc:gated-b", "WAITING_FOR_APPROVAL");
    FleetReport meanwhile = awaitFleet(f -> f.members().get(3).state().equals("SUCCEEDED"));
    assertThat(meanwhile.state()).isEqualTo("RUNNING");
    assertThat(states(meanwhile)).as("c and d deployed while gated-b waited")
        .containsExactly("SUCCEEDED", "RUNNING", "SUCCEEDED", "SUCCEEDED");
    assertThat(meanwhile.failed()).isZero();
    assertThat(world.changed).as("what changed something").doesNotContain("gated-b");

    String digest = waiting.approval().plan().value();
    DeploymentWorkflow member = client.newWorkflowStub(DeploymentWorkflow.class, "deploy:local:svc:gated-b");
    assertThatThrownBy(() -> member.approve(new ApprovalDecision("0123456789abcdef", "ada@laptop", null)))
        .as("a stale digest").isInstanceOf(io.temporal.client.WorkflowUpdateException.class);
    assertThat(member.approve(new ApprovalDecision(digest, "ada@laptop", "tenant b is ready")).result())
        .isEqualTo(ApprovalOutcome.PROCEEDING);

    FleetReport report = fleet.getResult(FleetReport.class);
    assertThat(report.state()).isEqualTo("SUCCEEDED");
    assertThat(states(report)).containsOnly("SUCCEEDED");
    assertThat(world.changed).contains("gated-b");
    DeploymentReport approved = client.newWorkflowStub(DeploymentWorkflow.class, "deploy:local:svc:gated-b").progress();
    assertThat(approved.approval().decisions()).singleElement()
        .satisfies(d -> assertThat(d.by() + " " + d.digest()).isEqualTo("ada@laptop " + digest));
  }

  /**
   * A rejected member ends REJECTED with nothing changed and counts against the budget (the rest would bring the
   * same plan): nothing else starts, and the fleet sends its own outcome, once, to its webhooks.
   */
  @Test
  void aRejectedMemberSpendsTheBudgetAndTheFleetNotifiesItsOutcomeOnce() throws Exception {
    GatedActivities world = new GatedActivities();
    FakeProduction production = new FakeProduction();
    startWith(DeploymentWorkflowImpl.class, world, production);
    FleetRequest request = fleet(new FleetOptions(1, 1, 0, false), "a", "gated-b", "c");
    WorkflowStub fleet = start(new FleetRequest(request.selection(), request.target(), request.members(),
        request.options(), request.requestedBy(), null, null, 0, false, List.of(new NotifyTarget("FLEET_HOOK",
            List.of(NotifyTarget.SUCCEEDED, NotifyTarget.FAILED), "slack"))));
    awaitMember("deploy:local:svc:gated-b", "WAITING_FOR_APPROVAL");

    client.newWorkflowStub(DeploymentWorkflow.class, "deploy:local:svc:gated-b")
        .reject(new ApprovalDecision(null, "grace@laptop", "not this week"));

    FleetReport report = runFailing(fleet);
    assertThat(report.state()).isEqualTo("FAILED");
    assertThat(states(report)).containsExactly("SUCCEEDED", "REJECTED", "SKIPPED");
    assertThat(report.failed()).isEqualTo(1);
    assertThat(report.members().get(1).summary()).contains("rejected by grace@laptop: not this week");
    assertThat(world.changed).doesNotContain("gated-b", "c");
    assertThat(production.sent).as("the fleet's own outcome, once").singleElement().satisfies(n -> {
      assertThat(n.event()).isEqualTo(NotifyTarget.FAILED);
      assertThat(n.deploymentId()).isEqualTo(FLEET_ID);
      assertThat(n.summary()).contains("failure budget", "1 rejected", "svc (gated-b) REJECTED");
      assertThat(n.hint()).contains("flaredeploy status '" + FLEET_ID + "'");
    });
  }

  /** Nobody approving in time ends the member APPROVAL_EXPIRED, a failure the budget may allow: the rest go on. */
  @Test
  void anApprovalThatExpiresIsAFailedMemberWithinTheBudget() {
    GatedActivities world = new GatedActivities();
    startWith(DeploymentWorkflowImpl.class, world, new FakeProduction());

    FleetReport report = runFailing(fleet(new FleetOptions(0, 1, 1, false), "gated-a", "b"));

    assertThat(states(report)).containsExactly("APPROVAL_EXPIRED", "SUCCEEDED");
    assertThat(report.failed()).isEqualTo(1);
    assertThat(world.changed).containsExactly("b");
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  /**
   * FleetActivities whose environments named gated-… require an approval (timeout 2 h), recording which
   * environments changed anything (checkpoint, apply-migrations, deploy-worker).
   */
  static class GatedActivities extends FleetActivities {
    private static final ObjectMapper JSON = new ObjectMapper();
    final List<String> changed = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public DeploymentPlan prepare(DeploymentRequest request) {
      DeploymentPlan plan = super.prepare(request);
      if (!request.environment().startsWith("gated-")) {
        return plan;
      }
      java.util.Map<String, Object> json = JSON.convertValue(plan, new TypeReference<>() {});
      json.put("approval", new ApprovalSettings(true, Duration.ofHours(2).toMillis(), List.of()));
      return JSON.convertValue(json, DeploymentPlan.class);
    }

    @Override
    public dev.flaredeploy.workflows.model.Checkpoint checkpoint(DeploymentPlan plan) {
      changed(plan);
      return super.checkpoint(plan);
    }

    @Override
    public Release deployWorker(DeploymentPlan plan) {
      changed(plan);
      return super.deployWorker(plan);
    }

    private void changed(DeploymentPlan plan) {
      if (!changed.contains(plan.environment())) {
        changed.add(plan.environment());
      }
    }
  }

  /** The fleet's progress once {@code until} holds. */
  private FleetReport awaitFleet(java.util.function.Predicate<FleetReport> until) throws Exception {
    FleetReport report = null;
    for (int i = 0; i < 400; i++) {
      report = client.newWorkflowStub(FleetWorkflow.class, FLEET_ID).progress();
      if (report != null && until.test(report)) {
        return report;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the fleet never got there: " + report);
  }

  /** The member's latest run's report once it is in {@code state}. */
  private DeploymentReport awaitMember(String id, String state) throws Exception {
    DeploymentReport report = null;
    for (int i = 0; i < 400; i++) {
      try {
        report = client.newUntypedWorkflowStub(id).describe()
            .getMemo(DeploymentAttributes.REPORT_MEMO, DeploymentReport.class, DeploymentReport.class);
      } catch (RuntimeException notStartedYet) {
        report = null;
      }
      if (report != null && state.equals(report.state())) {
        return report;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(id + " never reached " + state + ": " + report);
  }

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

  private void startWith(Class<? extends DeploymentWorkflow> memberType, DeploymentActivities activities,
      Object... more) {
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
    if (more.length > 0) {
      worker.registerActivitiesImplementations(more);
    }
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
    return runFailing(start(request));
  }

  private FleetReport runFailing(WorkflowStub fleet) {
    WorkflowFailedException e = catchFailure(fleet);
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
