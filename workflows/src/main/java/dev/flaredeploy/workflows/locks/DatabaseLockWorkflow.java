package dev.flaredeploy.workflows.locks;

import dev.flaredeploy.workflows.model.LockHolder;
import dev.flaredeploy.workflows.model.LockState;
import dev.flaredeploy.workflows.model.LockTicket;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The lock of one D1 database: at most one deployment run holds it; the others wait in a queue, first in
 * first out, and each is told by the signal {@value #GRANTED_SIGNAL} when its turn comes.
 *
 * <p>Started on first request by update-with-start ({@link DatabaseLockActivities#requestLock}); ends by
 * itself after a while without holder or request, and continues as new when its history grows. A holder
 * whose run closed without releasing (terminated, timed out) loses the lock as soon as someone waits for it:
 * the lock looks at the holder's run then, and every {@link DatabaseLockWorkflowImpl#HOLDER_CHECK} after.
 */
@WorkflowInterface
public interface DatabaseLockWorkflow {
  /** The signal a waiting requester receives when the lock becomes its own (argument: a {@code LockGrant}). */
  String GRANTED_SIGNAL = "database-lock-granted";

  /** The signal that releases the lock (argument: the holder's run id). */
  String RELEASE_SIGNAL = "release";

  /** Holds the lock's queue; {@code state} is what an earlier run handed over (null on first start). */
  @WorkflowMethod(name = "DatabaseLock")
  void hold(LockState state);

  /**
   * Asks for the lock for a deployment run: granted at once when free, else queued. Idempotent: asking
   * again answers where the run stands (holder, or its place in the queue).
   */
  @UpdateMethod(name = "acquire")
  LockTicket acquire(LockHolder requester);

  @UpdateValidatorMethod(updateName = "acquire")
  void validateAcquire(LockHolder requester);

  /** The run {@code runId} releases the lock, or leaves the queue. Does nothing for anyone else. */
  @SignalMethod(name = RELEASE_SIGNAL)
  void release(String runId);

  /** Holder and queue now. */
  @QueryMethod(name = "state")
  LockState state();
}
