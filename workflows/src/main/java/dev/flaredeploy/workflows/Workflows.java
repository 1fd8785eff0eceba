package dev.flaredeploy.workflows;

import java.util.List;

/** The workflow implementations a flaredeploy worker runs, listed once: the worker and the tests register these. */
public final class Workflows {
  /** Deployments, fleets of them, and rollbacks (which run under a deployment's id). */
  public static final List<Class<?>> IMPLEMENTATIONS =
      List.of(DeploymentWorkflowImpl.class, FleetWorkflowImpl.class, RollbackWorkflowImpl.class);

  private Workflows() {}
}
