package dev.flaredeploy.activities.gate;

import dev.flaredeploy.activities.DeploymentTarget;
import dev.flaredeploy.activities.safety.DataDependency;
import dev.flaredeploy.activities.safety.ShadowTrial;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.DatabasePlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pending migrations whose outcome depends on the rows the database holds, which the shadow (schema
 * only) cannot show: found by their effect in the shadow ({@link DataDependency}) and confirmed with
 * read-only, bounded probes of the live database ({@link DeploymentTarget#probe}). Rows that would make a
 * migration fail block, naming the migration, the constraint and a few offending keys (only the
 * constrained columns or the primary key). A probe that cannot decide is a warning naming the restore point
 * that covers a failure.
 */
final class DataProbeCheck implements Check {
  @Override
  public String name() {
    return "data";
  }

  @Override
  public CheckResult run(GateContext context) {
    Findings findings = new Findings(name(), FailureTypes.DATA_CONFLICT);
    boolean undecided = false;
    for (DatabasePlan database : context.databases()) {
      if (context.status(database).pending().isEmpty() || !context.state(database).exists()) {
        continue; // nothing pending, or no rows anywhere
      }
      GateContext.Trial trial = context.trial(database);
      if (!trial.available()) {
        continue; // the migrations check says why
      }
      String db = database.binding();
      int checked = 0;
      for (ShadowTrial.Tried migration : trial.trial().tried()) {
        for (DataDependency dependency : migration.dependencies()) {
          checked++;
          if (!dependency.decidable()) {
            undecided = true;
            findings.warning(db, dependency.migration(), "undecided", db + " " + dependency.where() + ": whether "
                + dependency.constraint() + " holds for the rows the database holds could not be checked: "
                + dependency.undecided() + ". If it does not, the migration fails and the deployment puts " + db
                + " back to its restore point (" + context.restorePoint(db) + ")");
            continue;
          }
          probe(context, database, dependency, findings);
        }
      }
      if (checked == 0) {
        findings.info(db, null, "none", db + ": no pending migration depends on the rows the database holds");
      }
    }
    String remedy = findings.blocks()
        ? "make the rows fit before this migration runs (a data migration in an earlier deployment, or statements"
            + " at the start of this one that fix them), or change the migration so it handles them; nothing was"
            + " changed"
        : undecided ? "a failure there is undone by the restore point; run `flaredeploy plan` again after the"
            + " earlier migrations were applied to check against the rows then" : null;
    return findings.result(remedy);
  }

  private static void probe(GateContext context, DatabasePlan database, DataDependency dependency,
      Findings findings) {
    String db = database.binding();
    List<Map<String, String>> rows;
    try {
      rows = context.target().probe(context.plan(), database, dependency.probe(), context.tick());
    } catch (RuntimeException e) {
      findings.warning(db, dependency.migration(), "undecided", db + " " + dependency.where() + ": whether "
          + dependency.constraint() + " holds for the rows the database holds could not be checked: the probe"
          + " failed (" + e.getMessage() + "). If it does not, the migration fails and the deployment puts " + db
          + " back to its restore point (" + context.restorePoint(db) + ")");
      return;
    }
    if (rows.isEmpty()) {
      findings.info(db, dependency.migration(), "holds", db + " " + dependency.where() + ": "
          + dependency.constraint() + " holds for the rows the database holds");
      return;
    }
    List<String> keys = rows.stream().limit(DataDependency.KEYS_SHOWN).map(dependency::describe).toList();
    String more = rows.size() > DataDependency.KEYS_SHOWN ? " and more" : "";
    String code = dependency.kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
    if (dependency.fails()) {
      findings.error(db, dependency.migration(), code, db + " " + dependency.where() + " fails on the rows the"
          + " database holds: " + dependency.constraint() + " " + violation(dependency) + ": "
          + String.join("; ", keys) + more, keys);
    } else {
      findings.warning(db, dependency.migration(), code, db + " " + dependency.where() + " changes rows of"
          + " another table: " + dependency.constraint() + " applies to rows that refer to the dropped table: "
          + String.join("; ", keys) + more, keys);
    }
  }

  private static String violation(DataDependency dependency) {
    return switch (dependency.kind()) {
      case UNIQUE -> "is broken by duplicated keys";
      case NOT_NULL -> "is broken by rows that would hold NULL";
      case CHECK -> "is broken by rows it refuses";
      case FOREIGN_KEY -> "is broken by references to rows that do not exist";
      case REFERENCED -> "is broken by rows that refer to the dropped table (D1 checks the references when the"
          + " migration ends)";
    };
  }
}
