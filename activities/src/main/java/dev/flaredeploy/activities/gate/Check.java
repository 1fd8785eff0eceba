package dev.flaredeploy.activities.gate;

import dev.flaredeploy.workflows.model.CheckResult;

/**
 * One pre-deploy check: reads what it needs from the run's {@link GateContext} (never the target's data
 * directly, so every database is read once per run) and reports one {@link CheckResult} with its findings,
 * its remedy and the failure type the deployment ends with when it blocks. Read-only. A new check is a
 * class of this interface plus its line in {@link Gate#CHECKS}.
 */
public interface Check {
  /** The check's stable name on the wire and in {@code plan}, e.g. {@code drift}. */
  String name();

  CheckResult run(GateContext context);

  /**
   * Whether nothing else can be checked when this check blocks (a target that is not ready cannot be read);
   * the later checks then do not run.
   */
  default boolean stopsTheRestWhenBlocked() {
    return false;
  }
}
