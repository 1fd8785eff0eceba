package dev.flaredeploy.activities.gate;

import dev.flaredeploy.workflows.model.DeploymentPlan;

/** What the checkpoint step takes of a database before migrating, in words (for plans and warnings). */
public final class RestorePoints {
  private RestorePoints() {}

  /**
   * Local: a copy of the database file; Cloudflare: a Time Travel bookmark (and an SQL export kept as a file
   * with {@code [checkpoint] export = true}).
   */
  public static String describe(DeploymentPlan plan, String binding) {
    if (!"cloudflare".equals(plan.target())) {
      return "a copy of " + binding + "'s database file, taken before migrating";
    }
    return "a Time Travel bookmark of " + binding + ", taken before migrating"
        + (plan.checkpointExport() ? ", and an SQL export of it kept as a file ([checkpoint] export)" : "");
  }
}
