package dev.flaredeploy.workflows;

/** Workflow ids and the default task queue, defined once. */
public final class DeploymentIds {
  public static final String DEFAULT_TASK_QUEUE = "flaredeploy";
  public static final String DEFAULT_ENVIRONMENT = "default";
  private static final String PREFIX = "deploy:";
  private static final String LOCK_PREFIX = "d1-lock:";

  /**
   * The id of every deployment of one (target, service, environment): the lock that keeps two from
   * running at once. Each deployment is a new run under it.
   */
  public static String workflowId(String target, String service, String environment) {
    return PREFIX + target + ":" + service + ":" + environment;
  }

  /**
   * The id of the lock workflow of one D1 database of a target ({@code d1-lock:<target>:<key>}): every
   * deployment that migrates the database, of any service or fleet, on any worker, takes it first. The key
   * is what makes two bindings one database on that target ({@link #databaseKey}).
   */
  public static String databaseLockId(String target, String databaseKey) {
    return LOCK_PREFIX + target + ":" + databaseKey;
  }

  /**
   * What identifies a D1 database on a target: on Cloudflare its {@code database_id}; on the local target
   * the id wrangler's local mode keeps it under ({@code preview_database_id ?? database_id ?? binding}),
   * which names its file. Null parts fall back in that order.
   */
  public static String databaseKey(String target, String binding, String databaseId, String localDatabaseId) {
    if ("local".equals(target) && localDatabaseId != null) {
      return localDatabaseId;
    }
    return databaseId != null ? databaseId : binding;
  }

  public static boolean isDeploymentId(String id) {
    return id != null && id.startsWith(PREFIX) && id.split(":").length == 4;
  }

  private DeploymentIds() {}

  /**
   * How people see a source, release or version id: its first 12 characters ({@code none} when there is none).
   * The one place it is defined, for the workflows, the activities and the CLI.
   */
  public static String shortId(String id) {
    return id == null ? "none" : id.length() > 12 ? id.substring(0, 12) : id;
  }
}
