package dev.flaredeploy.worker;

import dev.flaredeploy.workflows.DeploymentActivities;
import dev.flaredeploy.workflows.DeploymentWorkflowImpl;
import dev.flaredeploy.workflows.RollbackWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;

/**
 * The Temporal worker that runs deployments: the workflow and the activities on one task queue.
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

  /**
   * Starts polling {@code taskQueue} with the deployment and rollback workflows, the deployment's activities and
   * {@code more} (the notify and release-journal activities, {@link ActivitiesFactory#more}).
   */
  public static PipelineWorker start(
      WorkflowClient client, String taskQueue, boolean sticky, DeploymentActivities activities, Object... more) {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    WorkerOptions.Builder options = WorkerOptions.newBuilder();
    if (!sticky) {
      options.setStickyQueueScheduleToStartTimeout(Duration.ZERO);
    }
    Worker worker = factory.newWorker(taskQueue, options.build());
    worker.registerWorkflowImplementationTypes(DeploymentWorkflowImpl.class, RollbackWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities);
    if (more.length > 0) {
      worker.registerActivitiesImplementations(more);
    }
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
