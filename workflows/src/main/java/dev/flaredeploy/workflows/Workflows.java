package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.locks.DatabaseLockActivitiesImpl;
import dev.flaredeploy.workflows.locks.DatabaseLockWorkflowImpl;
import io.temporal.client.WorkflowClient;
import java.util.List;

/** The workflow implementations a flaredeploy worker runs, listed once: the worker and the tests register these. */
public final class Workflows {
  /**
   * Deployments, fleets of them, rollbacks (which run under a deployment's id), and the database locks deployments
   * take (one migrator per database).
   */
  public static final List<Class<?>> IMPLEMENTATIONS = List.of(DeploymentWorkflowImpl.class, FleetWorkflowImpl.class,
      RollbackWorkflowImpl.class, DatabaseLockWorkflowImpl.class);

  /**
   * The activities the database locks need beside a worker's deployment activities: they talk to the
   * Temporal service through the worker's own {@code client}.
   */
  public static Object lockActivities(WorkflowClient client) {
    return new DatabaseLockActivitiesImpl(client);
  }

  private Workflows() {}
}
