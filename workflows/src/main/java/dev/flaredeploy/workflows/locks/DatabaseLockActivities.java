package dev.flaredeploy.workflows.locks;

import dev.flaredeploy.workflows.Steps;
import dev.flaredeploy.workflows.model.LockHolder;
import dev.flaredeploy.workflows.model.LockRequest;
import dev.flaredeploy.workflows.model.LockTicket;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** What the lock needs of the Temporal service beyond its own workflow. Both may run twice. */
@ActivityInterface
public interface DatabaseLockActivities {

  /**
   * Sends the lock request to the database's lock workflow, starting it when none runs (update-with-start):
   * the answer says granted, or queued behind whom. Asking twice is harmless ({@link
   * DatabaseLockWorkflow#acquire} is idempotent).
   */
  @ActivityMethod(name = Steps.LOCK_DATABASE)
  LockTicket requestLock(LockRequest request);

  /** True while the holder's run is open (running); false once it closed, however it ended. Read-only. */
  @ActivityMethod(name = "check-lock-holder")
  boolean holderRunning(LockHolder holder);
}
