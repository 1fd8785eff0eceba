package dev.flaredeploy.workflows.locks;

import dev.flaredeploy.workflows.model.LockGrant;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;

/**
 * What a workflow that takes database locks listens to: the lock workflow's {@value
 * DatabaseLockWorkflow#GRANTED_SIGNAL}. Registered at run time ({@code Workflow.registerListener}) by the
 * taker's side of the locks, so a workflow type need not declare it; a grant that arrives first waits for
 * the listener.
 */
@WorkflowInterface
public interface DatabaseLockGrants {
  /** The lock this run waits for is now its own. */
  @SignalMethod(name = DatabaseLockWorkflow.GRANTED_SIGNAL)
  void granted(LockGrant grant);
}
