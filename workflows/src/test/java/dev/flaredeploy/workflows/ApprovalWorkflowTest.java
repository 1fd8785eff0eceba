package dev.flaredeploy.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flaredeploy.workflows.model.ApprovalDecision;
import dev.flaredeploy.workflows.model.ApprovalOutcome;
import dev.flaredeploy.workflows.model.ApprovalSettings;
import dev.flaredeploy.workflows.model.CheckFinding;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.NotifyTarget;
import dev.flaredeploy.workflows.model.ReleaseRecord;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The approval gate, notifications and the release journal as the workflow drives them, on the time-skipping
 * test server with fake activities.
 */
class ApprovalWorkflowTest {
  private static final String QUEUE = "approvals";
  private static final long HOUR = 3_600_000;
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private FakeActivities world;
  private FakeProduction production;

  @BeforeEach
  void start() {
    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder();
    DeploymentAttributes.ALL.forEach(
        k -> options.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    env = TestWorkflowEnvironment.newInstance(options.build());
    world = new FakeActivities();
    world.approval = new ApprovalSettings(true, 24 * HOUR, List.of());
    production = new FakeProduction();
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(Workflows.IMPLEMENTATIONS.toArray(Class<?>[]::new));
    worker.registerActivitiesImplementations(world, production, Workflows.lockActivities(env.getWorkflowClient()));
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void waitsAfterItsChecksShowingTheDigestAndProceedsWhenThatDigestIsApproved() {
    WorkflowStub stub = start(world);
    DeploymentReport waiting = awaitState(stub, "WAITING_FOR_APPROVAL");
    String digest = waiting.approval().plan().value();
    assertThat(world.calls).containsExactly("prepare", "validate-schema");
    assertThat(waiting.approval().plan().pending()).containsExactly(
        "DB/0001_init.sql sha256:sha-0001_init.sql", "DB/0002_add.sql sha256:sha-0002_add.sql");
    assertThat(waiting.summary()).contains("flaredeploy approve " + stub.getExecution().getWorkflowId() + " --digest " + digest);
    assertThat(stateAttribute(stub)).isEqualTo("WAITING_FOR_APPROVAL");

    ApprovalOutcome outcome = workflow().approve(new ApprovalDecision(digest.toUpperCase(), "ada@laptop", "looks right"));

    assertThat(outcome.result()).isEqualTo(ApprovalOutcome.PROCEEDING);
    DeploymentReport done = result(stub);
    assertThat(done.state()).isEqualTo("SUCCEEDED");
    assertThat(world.calls).containsExactly("prepare", "validate-schema", "validate-schema", "checkpoint",
        "apply-migrations", "deploy-worker", "smoke-test");
    assertThat(done.approval().state()).isEqualTo("APPROVED");
    assertThat(done.approval().decisions()).singleElement().satisfies(d -> {
      assertThat(d.decision()).isEqualTo("approved");
      assertThat(d.by()).isEqualTo("ada@laptop");
      assertThat(d.digest()).isEqualTo(digest);
      assertThat(d.reason()).isEqualTo("looks right");
      assertThat(d.at()).isNotNull();
    });
  }

  @Test
  void aStaleDigestAnApproverNotListedAndARunThatDoesNotWaitAreRefusedAndChangeNothing() throws Exception {
    world.approval = new ApprovalSettings(true, 24 * HOUR, List.of("ada"));
    WorkflowStub stub = start(world);
    String digest = awaitState(stub, "WAITING_FOR_APPROVAL").approval().plan().value();

    assertRefused(() -> workflow().approve(new ApprovalDecision("0123456789abcdef", "ada@laptop", null)),
        FailureTypes.STALE_DIGEST, digest);
    assertRefused(() -> workflow().approve(new ApprovalDecision(digest, "mallory@laptop", null)),
        FailureTypes.NOT_AN_APPROVER, "ada");
    assertRefused(() -> workflow().reject(new ApprovalDecision(null, "mallory@laptop", "no")),
        FailureTypes.NOT_AN_APPROVER, "ada");
    DeploymentReport still = memo(stub);
    assertThat(still.state()).isEqualTo("WAITING_FOR_APPROVAL");
    assertThat(still.approval().decisions()).isEmpty();
    assertThat(world.calls).containsExactly("prepare", "validate-schema");

    workflow().approve(new ApprovalDecision(digest, "ada@another-host", null));
    assertThat(result(stub).state()).isEqualTo("SUCCEEDED");

    // a deployment whose environment needs no approval: nothing to approve while it runs
    world.approval = null;
    world.files.add("0003_more.sql");
    world.holdSmoke = new CountDownLatch(1);
    WorkflowStub running = start(world);
    world.holdSmoke.await();
    assertRefused(() -> workflow().approve(new ApprovalDecision(digest, "ada@laptop", null)),
        FailureTypes.NOT_WAITING_FOR_APPROVAL, "requires none");
    running.cancel();
  }

  @Test
  void driftThatAppearsWhileItWaitsMakesItAskAgainWithTheNewDigestAndWhatChanged() {
    WorkflowStub stub = start(world);
    String first = awaitState(stub, "WAITING_FOR_APPROVAL").approval().plan().value();
    // a person changes the database by hand while the deployment waits
    world.checkResults = List.of(new CheckResult("drift", CheckResult.WARNED, null, List.of(new CheckFinding(
        CheckFinding.WARNING, "DB", "column notes.priority", "drift",
        "DB: column notes.priority exists in the live database but no applied migration creates it", List.of())),
        "bring the database back in line"));

    ApprovalOutcome outcome = workflow().approve(new ApprovalDecision(first, "ada@laptop", null));

    assertThat(outcome.result()).isEqualTo(ApprovalOutcome.ASKING_AGAIN);
    assertThat(outcome.digest()).isNotEqualTo(first);
    assertThat(outcome.detail()).contains("new drift: DB: column notes.priority");
    DeploymentReport again = awaitDigest(stub, outcome.digest());
    assertThat(again.state()).isEqualTo("WAITING_FOR_APPROVAL");
    assertThat(again.approval().why()).contains("the plan changed while it waited", "notes.priority");
    assertThat(world.calls).doesNotContain("checkpoint");
    assertRefused(() -> workflow().approve(new ApprovalDecision(first, "ada@laptop", null)),
        FailureTypes.STALE_DIGEST, outcome.digest());

    assertThat(workflow().approve(new ApprovalDecision(outcome.digest(), "ada@laptop", "drift is known")).result())
        .isEqualTo(ApprovalOutcome.PROCEEDING);
    DeploymentReport done = result(stub);
    assertThat(done.state()).isEqualTo("SUCCEEDED");
    assertThat(done.approval().decisions()).extracting(d -> d.decision() + " " + d.digest())
        .containsExactly("approved " + first, "approved " + outcome.digest());
  }

  @Test
  void rejectionEndsTheRunRejectedWithNothingChanged() {
    WorkflowStub stub = start(world);
    awaitState(stub, "WAITING_FOR_APPROVAL");

    ApprovalOutcome outcome = workflow().reject(new ApprovalDecision(null, "grace@laptop", "not on a Friday"));

    assertThat(outcome.result()).isEqualTo(ApprovalOutcome.REJECTED);
    DeploymentReport report = failedResult(stub);
    assertThat(report.state()).isEqualTo("REJECTED");
    assertThat(report.summary()).contains("rejected by grace@laptop: not on a Friday", "nothing was changed");
    assertThat(report.error().type()).isEqualTo(FailureTypes.APPROVAL_REJECTED);
    assertThat(report.approval().decisions()).singleElement()
        .satisfies(d -> assertThat(d.reason()).isEqualTo("not on a Friday"));
    assertThat(world.calls).containsExactly("prepare", "validate-schema");
    assertThat(world.ledger).isEmpty();
    assertThat(stateAttribute(stub)).isEqualTo("REJECTED");
  }

  @Test
  void nobodyDecidingWithinTheTimeoutEndsTheRunExpiredWithNothingChanged() {
    world.approval = new ApprovalSettings(true, 2 * HOUR, List.of());
    WorkflowStub stub = start(world);

    DeploymentReport report = failedResult(stub); // the test server skips the two hours

    assertThat(report.state()).isEqualTo("APPROVAL_EXPIRED");
    assertThat(report.summary()).contains("within 2h", "nothing was changed");
    assertThat(report.approval().decisions()).singleElement()
        .satisfies(d -> assertThat(d.decision()).isEqualTo("expired"));
    assertThat(world.calls).containsExactly("prepare", "validate-schema");
  }

  @Test
  void eachConfiguredEventIsSentOnceWithoutTheUrlAndAnUndeliveredOneIsOnlyAWarning() {
    world.notify = List.of(new NotifyTarget("HOOK_URL", List.of(NotifyTarget.WAITING_FOR_APPROVAL,
        NotifyTarget.SUCCEEDED, NotifyTarget.FAILED), "json"));
    production.notifyWarning = "succeeded notification to $HOOK_URL was not delivered: the webhook answered 500";
    WorkflowStub stub = start(world);
    String digest = awaitState(stub, "WAITING_FOR_APPROVAL").approval().plan().value();
    workflow().approve(new ApprovalDecision(digest, "ada@laptop", null));

    DeploymentReport report = result(stub);

    assertThat(report.state()).isEqualTo("SUCCEEDED");
    assertThat(production.events()).containsExactly(NotifyTarget.WAITING_FOR_APPROVAL, NotifyTarget.SUCCEEDED);
    assertThat(production.sent.get(0).digest()).isEqualTo(digest);
    assertThat(production.sent.get(0).hint()).contains("flaredeploy approve", digest);
    assertThat(report.warnings()).contains(production.notifyWarning);
  }

  @Test
  void aSuccessfulRunRecordsItsReleaseWithWhatItAppliedAndTheRestorePoint() {
    world.approval = null;
    DeploymentReport report = result(start(world));

    assertThat(report.state()).isEqualTo("SUCCEEDED");
    assertThat(production.journal).singleElement().satisfies(r -> {
      assertThat(r.kind()).isEqualTo(ReleaseRecord.DEPLOYMENT);
      assertThat(r.release()).isEqualTo(world.sourceId);
      assertThat(r.runId()).isEqualTo(report.runId());
      assertThat(r.database("DB").applied()).containsExactly("0001_init.sql", "0002_add.sql");
      assertThat(r.database("DB").ledgerAfter()).containsExactly("0001_init.sql", "0002_add.sql");
      assertThat(r.database("DB").restorePoint().location()).isEqualTo("/checkpoints/DB.sql");
    });
  }

  // ---------------------------------------------------------------------------------------------

  private WorkflowStub start(FakeActivities ignored) {
    DeploymentWorkflow wf = client.newWorkflowStub(DeploymentWorkflow.class, WorkflowOptions.newBuilder()
        .setTaskQueue(QUEUE)
        .setWorkflowId(DeploymentIds.workflowId("local", "svc", "default"))
        .setTypedSearchAttributes(SearchAttributes.newBuilder()
            .set(DeploymentAttributes.SERVICE, "svc").set(DeploymentAttributes.STATE, "RUNNING").build())
        .build());
    WorkflowClient.start(wf::deploy, new DeploymentRequest("/p", "default", "local", "svc", null, "test", false, null));
    return WorkflowStub.fromTyped(wf);
  }

  private DeploymentWorkflow workflow() {
    return client.newWorkflowStub(DeploymentWorkflow.class, DeploymentIds.workflowId("local", "svc", "default"));
  }

  private DeploymentReport awaitState(WorkflowStub stub, String state) {
    for (int i = 0; i < 200; i++) {
      DeploymentReport report = memo(stub);
      if (report != null && state.equals(report.state())) {
        return report;
      }
      sleep();
    }
    throw new AssertionError("never reached " + state + ": " + memo(stub));
  }

  private DeploymentReport awaitDigest(WorkflowStub stub, String digest) {
    for (int i = 0; i < 200; i++) {
      DeploymentReport report = memo(stub);
      if (report != null && "WAITING_FOR_APPROVAL".equals(report.state())
          && digest.equals(report.approval().plan().value())) {
        return report;
      }
      sleep();
    }
    throw new AssertionError("never waited on " + digest + ": " + memo(stub));
  }

  private DeploymentReport result(WorkflowStub stub) {
    stub.getResult(DeploymentReport.class);
    return memo(stub);
  }

  private DeploymentReport failedResult(WorkflowStub stub) {
    assertThatThrownBy(() -> stub.getResult(DeploymentReport.class)).isInstanceOf(WorkflowFailedException.class);
    return memo(stub);
  }

  private DeploymentReport memo(WorkflowStub stub) {
    return client.newUntypedWorkflowStub(stub.getExecution().getWorkflowId(),
            Optional.of(stub.getExecution().getRunId()), Optional.empty())
        .describe().getMemo(DeploymentAttributes.REPORT_MEMO, DeploymentReport.class, DeploymentReport.class);
  }

  private String stateAttribute(WorkflowStub stub) {
    return client.newUntypedWorkflowStub(stub.getExecution().getWorkflowId(),
            Optional.of(stub.getExecution().getRunId()), Optional.empty())
        .describe().getTypedSearchAttributes().get(DeploymentAttributes.STATE);
  }

  private static void assertRefused(Runnable update, String type, String mentions) {
    assertThatThrownBy(update::run).isInstanceOf(WorkflowUpdateException.class).satisfies(e -> {
      ApprovalGate.Refusal refusal = ApprovalGate.Refusal.of(e).orElseThrow();
      assertThat(refusal.type()).isEqualTo(type);
      assertThat(refusal.message()).contains(mentions);
    });
  }

  private static void sleep() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
