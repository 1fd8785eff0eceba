package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.RollbackRequest;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Puts an earlier release of one environment live again: plan-rollback → (restore-database per database, with
 * {@code --restore-database}) → rollback-worker → smoke-test. It runs under the environment's deployment id
 * ({@link DeploymentIds#workflowId}), so it cannot run while a deployment of the environment does, and no
 * deployment can start while it runs. Its {@link DeploymentReport} is in the memo like a deployment's, so
 * {@code status}, {@code watch} and {@code history} show it.
 */
@WorkflowInterface
public interface RollbackWorkflow {

  @WorkflowMethod(name = "Rollback")
  DeploymentReport rollback(RollbackRequest request);

  @QueryMethod(name = "progress")
  DeploymentReport progress();
}
