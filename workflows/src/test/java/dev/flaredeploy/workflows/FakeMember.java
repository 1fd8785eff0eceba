package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.StepReport;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fast stand-in for a fleet member, registered as the {@code Deployment} workflow type: it takes one minute
 * of workflow time (skipped by the test server) and ends by its environment's name: {@code fail-…} rolls back
 * and {@code attention-…} needs attention (both after half a minute), {@code hold-…} runs until it is cancelled
 * (it then takes a minute to undo; a timer would let time skipping end it before the test cancels it),
 * anything else succeeds.
 */
public class FakeMember implements DeploymentWorkflow {
  static final Duration TAKES = Duration.ofMinutes(1);
  private static final ObjectMapper JSON = new ObjectMapper();
  private String state = "RUNNING";
  private DeploymentRequest request;

  @Override
  public DeploymentReport deploy(DeploymentRequest request) {
    this.request = request;
    String env = request.environment();
    try {
      // a failing member fails half-way, so that members started with it are still running then
      if (env.startsWith("hold-")) {
        Workflow.await(() -> false);
      }
      Workflow.sleep(env.startsWith("fail-") || env.startsWith("attention-") ? TAKES.dividedBy(2) : TAKES);
    } catch (CanceledFailure cancelled) {
      Workflow.newDetachedCancellationScope(() -> Workflow.sleep(TAKES)).run();
      state = "CANCELLED";
      throw new CanceledFailure("cancelled during smoke-test; what it had changed was undone");
    }
    if (env.startsWith("fail-")) {
      state = "ROLLED_BACK";
      throw ApplicationFailure.newNonRetryableFailure("ROLLED_BACK: smoke-test failed; the previous release is live "
          + "again", FailureTypes.DEPLOYMENT_FAILED, "ROLLED_BACK");
    }
    if (env.startsWith("attention-")) {
      state = "NEEDS_ATTENTION";
      throw ApplicationFailure.newNonRetryableFailure("NEEDS_ATTENTION: smoke-test failed and a compensation did not "
          + "complete: a person must act", FailureTypes.DEPLOYMENT_FAILED, "NEEDS_ATTENTION");
    }
    state = "SUCCEEDED";
    return progress();
  }

  /** Built from its JSON form, so that fields added to the report later need no change here. */
  @Override
  public DeploymentReport progress() {
    String at = Workflow.currentTimeMillis() + "";
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("id", Workflow.getInfo().getWorkflowId());
    report.put("runId", Workflow.getInfo().getRunId());
    report.put("service", request.service());
    report.put("environment", request.environment());
    report.put("target", request.target());
    report.put("state", state);
    report.put("summary", "deployed release src of " + request.service());
    report.put("steps", List.of(new StepReport(Steps.SMOKE_TEST, state, 1, at, at, "1 check passed")));
    return JSON.convertValue(report, DeploymentReport.class);
  }
}
