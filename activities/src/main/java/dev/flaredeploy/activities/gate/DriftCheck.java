package dev.flaredeploy.activities.gate;

import dev.flaredeploy.activities.process.Ticking;
import dev.flaredeploy.activities.safety.DriftReport;
import dev.flaredeploy.activities.safety.MigrationSource;
import dev.flaredeploy.activities.safety.ShadowMigrationException;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.DatabasePlan;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Drift, on every deployment and every plan (also with nothing pending): each database's live schema
 * against the schema its applied migrations produce from empty. A difference means the database was changed
 * by hand (or an applied file was edited): it blocks when the environment's {@code on_drift} is {@code
 * fail}, else it is a warning.
 */
final class DriftCheck implements Check {
  @Override
  public String name() {
    return "drift";
  }

  @Override
  public CheckResult run(GateContext context) {
    Findings findings = new Findings(name(), FailureTypes.MIGRATION_UNSAFE);
    boolean fail = "fail".equals(context.plan().onDrift());
    for (DatabasePlan database : context.databases()) {
      String db = database.binding();
      if (!context.state(database).exists()) {
        continue; // never created: nothing live, nothing applied
      }
      GateContext.Trial trial = context.trial(database);
      if (!trial.available()) {
        findings.warning(db, null, "unchecked", db + ": drift was not looked for: " + trial.unavailable());
        continue;
      }
      List<MigrationSource> applied = new ArrayList<>();
      for (String name : context.status(database).applied()) {
        if (!Files.isRegularFile(context.migrationsDir(database).resolve(name))) {
          findings.warning(db, name, "vanished", db + ": " + name + " was applied but its file is gone; drift is"
              + " checked without it");
          continue;
        }
        applied.add(new MigrationSource(name, context.read(database, name)));
      }
      DriftReport report;
      try {
        report = Ticking.call(context.tick(), "drift-check",
            () -> DriftReport.of(trial.trial().live(), applied, database.migrationsTable()));
      } catch (ShadowMigrationException e) {
        findings.warning(db, null, "unchecked", db + ": drift not checked: replaying the applied migrations"
            + " failed: " + e.getMessage());
        continue;
      }
      for (DriftReport.Drift drift : report.differences()) {
        String message = db + ": " + drift.message();
        if (fail) {
          findings.error(db, drift.object(), "drift", message, List.of());
        } else {
          findings.warning(db, drift.object(), "drift", message);
        }
      }
    }
    return findings.result(fail
        ? "bring the database back in line with a migration, or set [policy] on_drift = \"warn\" in"
            + " flaredeploy.toml for this environment"
        : "bring the database back in line with a migration (on_drift = \"warn\" lets deployments through)");
  }
}
