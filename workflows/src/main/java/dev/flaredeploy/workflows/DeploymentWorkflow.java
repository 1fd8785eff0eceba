package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.model.ApprovalDecision;
import dev.flaredeploy.workflows.model.ApprovalOutcome;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
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

  /**
   * Approves the plan waiting for approval ({@code [approval]}), named by its digest. The checks then run again;
   * returns once they did: PROCEEDING when they found the same plan, ASKING_AGAIN (with the new digest and what
   * changed) when it changed while it waited.
   */
  @UpdateMethod(name = "approve")
  ApprovalOutcome approve(ApprovalDecision decision);

  /**
   * Refuses (nothing recorded, nothing changed): nothing waits for approval, the digest is not the one waiting
   * ({@link FailureTypes#STALE_DIGEST}), or whoever sent it is not an approver ({@link FailureTypes#NOT_AN_APPROVER}).
   */
  @UpdateValidatorMethod(updateName = "approve")
  void validateApprove(ApprovalDecision decision);

  /** Rejects the plan waiting for approval: the run ends REJECTED with nothing changed. */
  @UpdateMethod(name = "reject")
  ApprovalOutcome reject(ApprovalDecision decision);

  /** Refuses as {@link #validateApprove} does (no digest needed), and a reject without a reason. */
  @UpdateValidatorMethod(updateName = "reject")
  void validateReject(ApprovalDecision decision);
}
