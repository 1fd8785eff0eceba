package dev.flaredeploy.activities.gate;

import dev.flaredeploy.activities.safety.ShadowTrial;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.DatabasePlan;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a gradual rollout ({@code [rollout]}) may follow the pending migrations: until its last step the
 * previous version keeps serving part of the traffic on the new schema, so every pending migration must be
 * one it can live with ({@link #ROLLOUT_SAFE}) and must have been checked in the shadow. Does not apply
 * without a rollout, or when the source is live already (no new release to roll out).
 */
final class RolloutCheck implements Check {
  /** What a pending migration may do when a gradual rollout follows it. */
  static final Set<String> ROLLOUT_SAFE = Set.of("ADDITIVE", "NEUTRAL", "NO_SCHEMA_CHANGE");

  @Override
  public String name() {
    return "rollout";
  }

  @Override
  public CheckResult run(GateContext context) {
    Findings findings = new Findings(name(), FailureTypes.MIGRATION_UNSAFE);
    if (context.plan().rollout() == null) {
      return findings.skipped("no [rollout] for this environment: the release takes all traffic at once");
    }
    if (context.plan().source().id().equals(context.liveSource().orElse(null))) {
      return findings.skipped("this source is live already: there is no new release to roll out");
    }
    for (DatabasePlan database : context.databases()) {
      String db = database.binding();
      for (String migration : context.status(database).pending()) {
        Optional<ShadowTrial.Tried> tried = context.trial(database).available()
            ? context.trial(database).trial().tried().stream()
                .filter(t -> t.migration().equals(migration) && t.analysis() != null).findFirst()
            : Optional.empty();
        if (tried.isEmpty()) {
          findings.error(db, migration, "unchecked", db + " " + migration + ": not checked in a shadow (its"
              + " database's schema could not be loaded there, or an earlier migration fails there), so it cannot"
              + " be shown to be additive", List.of());
        } else if (!ROLLOUT_SAFE.contains(tried.get().analysis().classification())) {
          findings.error(db, migration, tried.get().analysis().classification(), db + " " + migration + ": "
              + tried.get().analysis().classification(), List.of());
        }
      }
    }
    return findings.result("the gradual rollout ([rollout]) is refused: until its last step the previous version"
        + " keeps serving part of the traffic on the new schema, so every pending migration must be additive"
        + " (ADDITIVE, NEUTRAL or NO_SCHEMA_CHANGE). Either deploy this release without a rollout ("
        + rolloutOff(context.plan().environment()) + "), so the new version takes all traffic as soon as the"
        + " migrations are applied; or split the migration: deploy its additive part (expand) with the rollout"
        + " first, and what removes or renames (contract) in a later deployment, once no version that needs it"
        + " serves");
  }

  /** How to turn the rollout off for one environment, in flaredeploy.toml's words. */
  private static String rolloutOff(String environment) {
    return ("default".equals(environment) ? "[rollout]" : "[env." + environment + ".rollout]")
        + " enabled = false in flaredeploy.toml";
  }
}
