package dev.flaredeploy.activities.local;

import java.nio.file.Path;

/**
 * A local restore could not complete. The restore is one SQLite transaction, so the database is as it was
 * before the restore started; the message says so, and what a person can do.
 */
public class RestoreFailedException extends RuntimeException {
  /**
   * @param reason what went wrong
   * @param pointUsable false when the restore point itself cannot be used (missing, unreadable), so no
   *     retry can help
   */
  RestoreFailedException(LocalDatabaseContext ctx, Path restorePoint, String reason, boolean pointUsable) {
    super("could not restore " + ctx.binding() + " from " + restorePoint + ": " + reason
        + "; the database " + ctx.file() + " is as it was before this restore (the restore is one transaction)"
        + (pointUsable
            ? "; to restore it by hand, stop the environment's release (" + stopCommand(ctx) + ") and run: sqlite3 "
                + ctx.file() + " \".restore '" + restorePoint + "'\""
            : "; this restore point cannot be used: put the database back from a copy of your own, or keep it as"
                + " it is and fix forward"));
  }

  /** {@code flaredeploy local stop <service> [--env E]}, read off the state dir's place in the workspace. */
  private static String stopCommand(LocalDatabaseContext ctx) {
    Path environment = ctx.stateDir().getParent();
    if (environment == null || environment.getParent() == null) {
      return "flaredeploy local stop";
    }
    String env = environment.getFileName().toString();
    return "flaredeploy local stop " + environment.getParent().getFileName()
        + (LocalReleases.DEFAULT_ENVIRONMENT.equals(env) ? "" : " --env " + env);
  }
}
