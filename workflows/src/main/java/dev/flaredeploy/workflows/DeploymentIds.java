package dev.flaredeploy.workflows;

/** Workflow ids and the default task queue, defined once. */
public final class DeploymentIds {
  public static final String DEFAULT_TASK_QUEUE = "flaredeploy";
  public static final String DEFAULT_ENVIRONMENT = "default";
  private static final String PREFIX = "deploy:";

  /**
   * The id of every deployment of one (target, service, environment): the lock that keeps two from
   * running at once. Each deployment is a new run under it.
   */
  public static String workflowId(String target, String service, String environment) {
    return PREFIX + target + ":" + service + ":" + environment;
  }

  public static boolean isDeploymentId(String id) {
    return id != null && id.startsWith(PREFIX) && id.split(":").length == 4;
  }

  private DeploymentIds() {}
}
