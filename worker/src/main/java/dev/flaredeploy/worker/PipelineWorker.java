package dev.flaredeploy.worker;

import dev.flaredeploy.workflows.DeploymentActivities;
import dev.flaredeploy.workflows.Workflows;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;

/**
  * The Temporal worker that runs deployments: the deployment, fleet and rollback workflows and the activities on one
  * task queue, with the database locks the deployments take ({@code DatabaseLockWorkflow}, one per D1 database). A
  * fleet's members are ordinary deployments, so any worker on the queue runs any of them.
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

  /** As {@link #start(WorkflowClient, String, boolean, int, DeploymentActivities, Object...)}, with the SDK's limit. */
  public static PipelineWorker start(
      WorkflowClient client, String taskQueue, boolean sticky, DeploymentActivities activities, Object... more) {
    return start(client, taskQueue, sticky, 0, activities, more);
  }

  /**
   * Starts polling {@code taskQueue} with every workflow of {@link Workflows#IMPLEMENTATIONS} (deployments, fleets,
   * rollbacks), the deployment's activities and {@code more} (the notify and release-journal activities, {@link
   * ActivitiesFactory#more}).
   *
   * @param maxConcurrentSteps how many activities (deployment steps) this worker runs at once; once they all run it
   *     stops asking for more, so other workers on the queue take them. 0: the Temporal SDK's default
   */
  public static PipelineWorker start(WorkflowClient client, String taskQueue, boolean sticky,
      int maxConcurrentSteps, DeploymentActivities activities, Object... more) {
    WorkerFactory factory = WorkerFactory.newInstance(client);
    WorkerOptions.Builder options = WorkerOptions.newBuilder();
    if (!sticky) {
      options.setStickyQueueScheduleToStartTimeout(Duration.ZERO);
    }
    if (maxConcurrentSteps > 0) {
      options.setMaxConcurrentActivityExecutionSize(maxConcurrentSteps);
    }
    Worker worker = factory.newWorker(taskQueue, options.build());
    worker.registerWorkflowImplementationTypes(Workflows.IMPLEMENTATIONS.toArray(Class<?>[]::new));
    // the database locks run beside the deployments: any worker of the queue serves them
    worker.registerActivitiesImplementations(activities, Workflows.lockActivities(client));
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
