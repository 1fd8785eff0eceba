package dev.flaredeploy.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flaredeploy.workflows.DeploymentAttributes;
import dev.flaredeploy.workflows.DeploymentWorkflow;
import dev.flaredeploy.workflows.FleetWorkflowImpl;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.FleetMember;
import dev.flaredeploy.workflows.model.FleetMemberReport;
import dev.flaredeploy.workflows.model.FleetOptions;
import dev.flaredeploy.workflows.model.FleetReport;
import dev.flaredeploy.workflows.model.FleetRequest;
import dev.flaredeploy.workflows.model.StepReport;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the CLI reads a fleet: each member's state, step and summary while it runs (the query, the running
 * members' own reports), after a cancel, and from the members' own runs when no worker answers the query.
 */
class FleetsTest {
  private static final String QUEUE = "fleets-test";
  private static final String ID = "fleet:local:svc:*";
  private TestWorkflowEnvironment env;
  private Fleets fleets;

  /** A member that checks its release until cancelled, keeping its report in the memo as a deployment does. */
  public static class CheckingMember implements DeploymentWorkflow {
    private static final ObjectMapper JSON = new ObjectMapper();
    private DeploymentRequest request;
    private String state = "RUNNING";

    @Override
    public DeploymentReport deploy(DeploymentRequest request) {
      this.request = request;
      publish();
      try {
        Workflow.sleep(Duration.ofDays(1));
      } catch (CanceledFailure cancelled) {
        state = "CANCELLED";
        publish();
        throw new CanceledFailure("cancelled during smoke-test; what it had changed was undone");
      }
      state = "SUCCEEDED";
      publish();
      return progress();
    }

    @Override
    public DeploymentReport progress() {
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("id", Workflow.getInfo().getWorkflowId());
      report.put("runId", Workflow.getInfo().getRunId());
      report.put("service", request.service());
      report.put("environment", request.environment());
      report.put("target", request.target());
      report.put("state", state);
      report.put("summary", state.equals("RUNNING") ? "checking the release" : "cancelled during smoke-test");
      report.put("steps", List.of(new StepReport("smoke-test", state, 1, "t", null, "checking")));
      return JSON.convertValue(report, DeploymentReport.class);
    }

    private void publish() {
      Workflow.upsertMemo(Map.of(DeploymentAttributes.REPORT_MEMO, progress()));
    }
  }

  @BeforeEach
  void start() {
    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder();
    DeploymentAttributes.ALL.forEach(
        k -> options.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    env = TestWorkflowEnvironment.newInstance(options.build());
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(FleetWorkflowImpl.class, CheckingMember.class);
    env.start();
    fleets = new Fleets(env.getWorkflowClient(), env.getWorkflowServiceStubs(), QUEUE);
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  void aRunningFleetShowsEachMembersStepAndACancelSkipsTheRestEvenWithNoWorkerLeft() throws Exception {
    fleets.start(ID, new FleetRequest("svc --env *", "local",
        List.of(member("a"), member("b"), member("c")), new FleetOptions(0, 2, 0, false), "test", null, null, 1,
        false), "fleet: deploy svc --env * to local", "members: …");

    FleetReport running = awaitRunning(2);
    assertThat(running.members()).extracting(FleetMemberReport::state).containsExactly("RUNNING", "RUNNING", "PENDING");
    assertThat(running.members().get(0).step()).as("from the member's own report").isEqualTo("smoke-test");
    assertThat(running.members().get(0).summary()).isEqualTo("checking the release");
    assertThat(fleets.list(null, null, 10)).singleElement().satisfies(listed -> {
      assertThat(listed.id()).isEqualTo(ID);
      assertThat(listed.running()).isEqualTo(2);
      assertThat(listed.members()).as("the memo holds counts only").isEmpty();
    });
    assertThat(fleets.list("other", null, 10)).isEmpty();

    fleets.cancel(ID, "test");
    FleetReport cancelled = fleets.follow(ID, report -> { });

    assertThat(cancelled.state()).isEqualTo("CANCELLED");
    assertThat(cancelled.members()).extracting(FleetMemberReport::state)
        .containsExactly("CANCELLED", "CANCELLED", "SKIPPED");

    env.getWorkerFactory().shutdownNow();
    FleetReport withoutWorker = fleets.status(ID);

    assertThat(withoutWorker.state()).isEqualTo("CANCELLED");
    assertThat(withoutWorker.members()).as("read from the members' own runs")
        .extracting(FleetMemberReport::state).containsExactly("CANCELLED", "CANCELLED", "SKIPPED");
    assertThat(withoutWorker.members().get(0).runId()).isNotNull();
    assertThat(withoutWorker.members().get(2).runId()).isNull();
  }

  @Test
  void aFleetIdIsSelectedByItsServicesAndTheEnvironmentsItsGlobsTakeIn() {
    assertThat(Fleets.selects("fleet:local:api+web:tenant-*", "web", "tenant-7")).isTrue();
    assertThat(Fleets.selects("fleet:local:api+web:tenant-*", "jobs", null)).isFalse();
    assertThat(Fleets.selects("fleet:local:api+web:tenant-*,staging", null, "staging")).isTrue();
    assertThat(Fleets.selects("fleet:local:api+web:tenant-*", null, "production")).isFalse();
  }

  private FleetReport awaitRunning(int members) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      FleetReport report = fleets.status(ID);
      if (report.members().stream().filter(m -> m.state().equals("RUNNING") && m.step() != null).count() == members) {
        return report;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the fleet never had " + members + " members running: " + fleets.status(ID));
  }

  private static FleetMember member(String environment) {
    return new FleetMember(new DeploymentRequest("/p", environment, "local", "svc", null, "test", false, null), null,
        false, List.of());
  }
}
