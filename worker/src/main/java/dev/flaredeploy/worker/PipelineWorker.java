package dev.flaredeploy.worker;

import dev.flaredeploy.workflows.DeploymentActivities;
import dev.flaredeploy.workflows.DeploymentWorkflowImpl;
import dev.flaredeploy.workflows.locks.DatabaseLockActivitiesImpl;
import dev.flaredeploy.workflows.locks.DatabaseLockWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;

/**
 * The Temporal worker that runs deployments: the workflow and the activities on one task queue, with the
 * database locks the deployments take ({@code DatabaseLockWorkflow}, one per D1 database).
 *
 * <p>Sticky execution stays on for real servers. Turn it off ({@code sticky=false}) against the Java test
 * server ({@code flaredeploy dev-server}, embedded mode): that server never moves a workflow off a dead
 * worker's sticky queue, so a restarted worker would never resume.
 */
public final class PipelineWorker implements AutoCloseable {
  private final WorkerFactory factory;

  private PipelineWorker(WorkerFactory factory) {
    this.factory = factory;
  }

  public static PipelineWorker start(
      WorkflowClient client, String taskQueue, boolean sticky, DeploymentActivities activities) {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    WorkerOptions.Builder options = WorkerOptions.newBuilder();
    if (!sticky) {
      options.setStickyQueueScheduleToStartTimeout(Duration.ZERO);
    }
    Worker worker = factory.newWorker(taskQueue, options.build());
    // the database locks run beside the deployments: any worker of the queue serves them
    worker.registerWorkflowImplementationTypes(DeploymentWorkflowImpl.class, DatabaseLockWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities, new DatabaseLockActivitiesImpl(client));
    factory.start();
    return new PipelineWorker(factory);
  }

  /** Stops polling and waits briefly for running activities. */
  @Override
  public void close() {
    factory.shutdown();
    factory.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  public void awaitTermination() {
    factory.awaitTermination(Long.MAX_VALUE, java.util.concurrent.TimeUnit.DAYS);
  }
}
