package dev.flaredeploy.workflows.locks;

import dev.flaredeploy.workflows.model.LockHolder;
import dev.flaredeploy.workflows.model.LockRequest;
import dev.flaredeploy.workflows.model.LockState;
import dev.flaredeploy.workflows.model.LockTicket;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateStage;
import java.util.Optional;

/**
 * The lock activities over the worker's own Temporal client. The lock workflow runs on the requester's
 * task queue, so any worker of the deployments serves it.
 */
public class DatabaseLockActivitiesImpl implements DatabaseLockActivities {
  private final WorkflowClient client;

  public DatabaseLockActivitiesImpl(WorkflowClient client) {
    this.client = client;
  }

  @Override
  public LockTicket requestLock(LockRequest request) {
    DatabaseLockWorkflow lock = client.newWorkflowStub(DatabaseLockWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(request.lockId())
        .setTaskQueue(request.taskQueue())
        // a lock that runs is the lock: join it; one that ended is started again
        .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setStaticSummary("one migrator at a time for D1 database " + request.database())
        .build());
    WithStartWorkflowOperation<Void> start = new WithStartWorkflowOperation<>(lock::hold, (LockState) null);
    return WorkflowClient.executeUpdateWithStart(lock::acquire, request.requester(),
        UpdateOptions.<LockTicket>newBuilder().setWaitForStage(WorkflowUpdateStage.COMPLETED).build(), start);
  }

  @Override
  public boolean holderRunning(LockHolder holder) {
    WorkflowStub run = client.newUntypedWorkflowStub(holder.workflowId(), Optional.of(holder.runId()), Optional.empty());
    try {
      return run.describe().getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    } catch (WorkflowNotFoundException gone) {
      return false; // closed long enough ago that the server forgot it
    }
  }
}
