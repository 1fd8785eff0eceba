package dev.flaredeploy.worker;

import dev.flaredeploy.workflows.DeploymentAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.filter.v1.WorkflowTypeFilter;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * How many deployments wait for an approval now, from Temporal itself (so it is right whichever worker runs them,
 * and across restarts): a visibility count on a real server, the open runs' search attribute on the Java test
 * server (which has no visibility queries). Cached for a few seconds; NaN when Temporal cannot tell.
 */
public final class ApprovalsWaiting implements DoubleSupplier {
  private static final Duration CACHE = Duration.ofSeconds(5);

  private final WorkflowClient client;
  private final WorkflowServiceStubs stubs;
  private long readAt;
  private double last = Double.NaN;

  public ApprovalsWaiting(WorkflowClient client, WorkflowServiceStubs stubs) {
    this.client = client;
    this.stubs = stubs;
  }

  @Override
  public synchronized double getAsDouble() {
    long now = System.nanoTime();
    if (readAt != 0 && now - readAt < CACHE.toNanos()) {
      return last;
    }
    try {
      last = count();
    } catch (RuntimeException e) {
      last = Double.NaN;
    }
    readAt = now;
    return last;
  }

  private double count() {
    try {
      return client.countWorkflows("ExecutionStatus = 'Running' AND " + DeploymentAttributes.STATE.getName()
          + " = 'WAITING_FOR_APPROVAL'").getCount();
    } catch (RuntimeException e) {
      if (!unimplemented(e)) {
        throw e;
      }
    }
    long waiting = 0;
    var open = stubs.blockingStub().listOpenWorkflowExecutions(ListOpenWorkflowExecutionsRequest.newBuilder()
        .setNamespace(client.getOptions().getNamespace())
        .setTypeFilter(WorkflowTypeFilter.newBuilder().setName("Deployment"))
        .setMaximumPageSize(1000).build());
    for (WorkflowExecutionInfo info : open.getExecutionsList()) {
      String state = Optional.ofNullable(client.newUntypedWorkflowStub(info.getExecution().getWorkflowId(),
              Optional.of(info.getExecution().getRunId()), Optional.empty()).describe().getTypedSearchAttributes()
          .get(DeploymentAttributes.STATE)).orElse("");
      if ("WAITING_FOR_APPROVAL".equals(state)) {
        waiting++;
      }
    }
    return waiting;
  }

  private static boolean unimplemented(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        return true;
      }
    }
    return false;
  }
}
