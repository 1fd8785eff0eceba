package dev.flaredeploy.activities;

import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.activities.safety.Checksums.Recorded;
import dev.flaredeploy.workflows.model.ChecksumProblem;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.MigrationFile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * flaredeploy's checksum table ({@link Checksums#TABLE}) in each database, read and written through a
 * {@link DeploymentTarget}, so the local target and Cloudflare keep it the same way. Used by
 * validate-schema (read), apply-migrations (record) and {@code flaredeploy migrations accept}.
 */
public final class ChecksumLedger {
  private ChecksumLedger() {}

  /** The recorded checksums of one database, by migration name; empty before the first record. */
  public static Map<String, Recorded> recorded(
      DeploymentTarget target, DeploymentPlan plan, DatabasePlan database, Tick tick) {
    Map<String, Recorded> recorded = new LinkedHashMap<>();
    target.queryTable(plan, database, Checksums.TABLE, Checksums.SELECT, tick).orElse(List.of()).forEach(row ->
        recorded.put(row.get("name"), new Recorded(row.get("name"), row.get("sha256"), row.get("applied_at"),
            row.get("accepted_reason"), row.get("accepted_by"), row.get("accepted_at"))));
    return recorded;
  }

  /**
   * Edited and vanished migrations of every database of the plan ({@code flaredeploy migrations accept}),
   * each database read once ({@link DeploymentTarget#inspect}).
   */
  public static List<ChecksumProblem> problems(DeploymentTarget target, DeploymentPlan plan, Tick tick) {
    List<ChecksumProblem> problems = new ArrayList<>();
    for (DatabasePlan database : plan.databases()) {
      problems.addAll(verify(database, target.inspect(plan, database, tick)).problems());
    }
    return problems;
  }

  /** Edited and vanished migrations of one database: its ledger and records against the plan's (pinned) files. */
  public static Checksums.Verification verify(DatabasePlan database, DatabaseState state) {
    return Checksums.problems(database.binding(), state.applied(), state.checksums(), files(database));
  }

  /**
   * The apply-migrations step: applies the binding's pending migrations, each with its ledger row and its
   * checksum in one transaction ({@link DeploymentTarget#applyMigrations}), so there is no window between a
   * migration and its checksum. Returns the ledger afterwards.
   *
   * @throws dev.flaredeploy.activities.local.MigrationFailedException as {@link DeploymentTarget#applyMigrations}
   */
  public static List<String> applyAndRecord(
      DeploymentTarget target, DeploymentPlan plan, DatabasePlan database, Tick tick) {
    return target.applyMigrations(plan, database, tick);
  }

  /**
   * Accepts one problem: records the file's current checksum (or, for a vanished file, that its removal
   * was accepted) with the reason, who and when.
   */
  public static void accept(DeploymentTarget target, DeploymentPlan plan, DatabasePlan database,
      ChecksumProblem problem, String reason, String acceptedBy, Tick tick) {
    String sha256 = ChecksumProblem.VANISHED.equals(problem.kind()) ? Checksums.VANISHED : problem.currentSha256();
    target.executeBatch(plan, database, Checksums.acceptStatement(problem.file(), sha256, reason, acceptedBy), tick);
  }

  private static Map<String, String> files(DatabasePlan database) {
    Map<String, String> files = new LinkedHashMap<>();
    if (database.migrations() != null) {
      for (MigrationFile file : database.migrations()) {
        files.put(file.name(), file.sha256());
      }
    }
    return files;
  }
}
