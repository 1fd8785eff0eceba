package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One deployment of a Worker and its D1 databases: prepare → validate-schema → checkpoint →
 * apply-migrations → deploy-worker → smoke-test, undone in reverse when a step fails or the run is
 * cancelled.
 *
 * <p>The workflow id is the lock: one running deployment per (target, service, environment), see
 * {@link DeploymentIds}. A run that does not succeed fails (or is cancelled) in Temporal, and its final
 * {@link DeploymentReport} is always in the memo under {@link DeploymentAttributes#REPORT_MEMO}.
 */
@WorkflowInterface
public interface DeploymentWorkflow {

  /** Runs the deployment; returns the report of a successful (or no-op) run. */
  @WorkflowMethod(name = "Deployment")
  DeploymentReport deploy(DeploymentRequest request);

  /** The run as it is now: steps so far, databases, release, state. Needs a live worker. */
  @QueryMethod(name = "progress")
  DeploymentReport progress();
}
