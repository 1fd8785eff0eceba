package dev.flaredeploy.activities.gate;

import dev.flaredeploy.activities.safety.ChangeFinding;
import dev.flaredeploy.activities.safety.MigrationAnalysis;
import dev.flaredeploy.activities.safety.ShadowTrial;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.MigrationAllowance;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Each pending migration applied, in wrangler's order, to a shadow of its database's live schema and
 * classified by its effect ({@code ADDITIVE}, {@code NEUTRAL}, {@code TABLE_REBUILD}, {@code RENAME}, {@code
 * DESTRUCTIVE}, {@code NO_SCHEMA_CHANGE}). A migration that does not apply ({@code FAILS}) blocks, and the
 * ones after it are not tried; a destructive or renaming one blocks unless {@code --allow-destructive} or
 * an {@code [[migrations.allow]]} entry lets it through (a warning then, with the reason).
 */
final class MigrationSafetyCheck implements Check {
  /** The classification of a migration that does not apply to the live schema. */
  static final String FAILS = "FAILS";

  @Override
  public String name() {
    return "migrations";
  }

  @Override
  public CheckResult run(GateContext context) {
    Findings findings = new Findings(name(), FailureTypes.MIGRATION_UNSAFE);
    Set<String> safer = new LinkedHashSet<>();
    boolean destructiveBlocked = false;
    boolean failed = false;
    for (DatabasePlan database : context.databases()) {
      List<String> pending = context.status(database).pending();
      if (pending.isEmpty()) {
        continue;
      }
      String db = database.binding();
      GateContext.Trial trial = context.trial(database);
      if (!trial.available()) {
        findings.warning(db, null, "unchecked", db + ": " + trial.unavailable() + "; so its pending migrations ("
            + String.join(", ", pending) + ") were not checked");
        continue;
      }
      List<String> tried = new ArrayList<>();
      for (ShadowTrial.Tried migration : trial.trial().tried()) {
        tried.add(migration.migration());
        if (migration.failure() != null) {
          failed = true;
          findings.error(db, migration.migration(), FAILS, db + " " + migration.migration() + " does not apply to"
              + " the live schema: " + migration.failure().getMessage(), List.of());
          continue;
        }
        MigrationAnalysis analysis = migration.analysis();
        String classification = analysis.classification();
        List<String> effects = analysis.findings().stream().map(ChangeFinding::describe).toList();
        String message = db + " " + migration.migration() + ": " + classification;
        if (!analysis.needsAllowance()) {
          findings.info(db, migration.migration(), classification, message, effects);
          continue;
        }
        Optional<MigrationAllowance> allowance = allowances(context).stream()
            .filter(a -> a.covers(db, migration.migration())).findFirst();
        if (context.plan().allowDestructive()) {
          findings.warning(db, migration.migration(), classification, message + ", let through by"
              + " --allow-destructive", effects);
        } else if (allowance.isPresent()) {
          findings.warning(db, migration.migration(), classification, message + ", allowed by [[migrations.allow]]"
              + " in flaredeploy.toml: " + allowance.get().reason(), effects);
        } else {
          destructiveBlocked = true;
          analysis.findings().stream().filter(f -> f.kind().needsAllowance()).map(ChangeFinding::safeWay)
              .forEach(safer::add);
          findings.error(db, migration.migration(), classification, message, effects);
        }
      }
      pending.stream().filter(name -> !tried.contains(name)).forEach(name -> findings.info(db, name, "unchecked",
          db + " " + name + ": not tried, an earlier migration does not apply"));
    }
    List<String> remedy = new ArrayList<>();
    if (failed) {
      remedy.add("fix the migration that does not apply; the database was not touched");
    }
    if (destructiveBlocked) {
      remedy.add("safer: " + String.join(" ", safer));
      remedy.add("to deploy destructive or renaming changes anyway: --allow-destructive, or allow the file in"
          + " flaredeploy.toml ([[migrations.allow]] file, database, reason)");
    }
    return findings.result(remedy.isEmpty() ? null : String.join("\n", remedy));
  }

  private static List<MigrationAllowance> allowances(GateContext context) {
    return context.plan().allowances() == null ? List.of() : context.plan().allowances();
  }
}
