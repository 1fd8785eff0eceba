package dev.flaredeploy.activities.gate;

import dev.flaredeploy.activities.safety.Finding;
import dev.flaredeploy.activities.safety.MigrationSource;
import dev.flaredeploy.activities.safety.SequenceCheck;
import dev.flaredeploy.activities.safety.WranglerCompatibility;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.MigrationFile;
import java.util.List;

/**
 * Warnings about the migration files themselves, found without running them: the sequence as wrangler
 * orders it (duplicate or missing numbers, gaps, skipped files) and, in the pending files, statements
 * wrangler or D1 may mishandle. Never blocks.
 */
final class MigrationFilesCheck implements Check {
  @Override
  public String name() {
    return "migration-files";
  }

  @Override
  public CheckResult run(GateContext context) {
    Findings findings = new Findings(name(), null);
    for (DatabasePlan database : context.databases()) {
      String db = database.binding();
      List<String> names = database.migrations() == null ? List.of()
          : database.migrations().stream().map(MigrationFile::name).toList();
      for (Finding f : SequenceCheck.check(names)) {
        findings.warning(db, f.subject(), f.code(), db + ": " + f.describe(), remedy(f));
      }
      for (String pending : context.status(database).pending()) {
        for (Finding f : WranglerCompatibility.check(new MigrationSource(pending, context.read(database, pending)))) {
          findings.warning(db, f.subject(), f.code(), db + ": " + f.describe(), remedy(f));
        }
      }
    }
    return findings.result("each warning says what wrangler would do with the file; rename or rewrite it to be"
        + " sure");
  }

  private static List<String> remedy(Finding f) {
    return f.remedy() == null || f.remedy().isBlank() ? List.of() : List.of(f.remedy());
  }
}
