package dev.flaredeploy.activities;

import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.safety.SqlStatements;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.MigrationFile;
import dev.flaredeploy.workflows.model.RestorePoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What keeps a restore from wiping someone else's migrations. A restore point records the ledger its
 * database had when it was taken; before restoring, the ledger is read again and compared
 * ({@link RestorePoint#divergence}): migrations that another deployment sharing the database (or a person)
 * applied or removed since make the restore refuse, with what a person must do instead. The workflow holds
 * the database's lock around the look and the restore, so nothing migrates it in between. Reads only, on
 * either target, through {@link DeploymentTarget#queryTable}.
 */
public final class RestoreGuard {
  private RestoreGuard() {}

  /** The ledger of one database now, in order; empty when it has none yet. Read-only. */
  public static List<String> ledger(DeploymentTarget target, DeploymentPlan plan, DatabasePlan db, Tick tick) {
    String table = db.migrationsTable() == null || db.migrationsTable().isBlank() ? "d1_migrations"
        : db.migrationsTable();
    return target.queryTable(plan, db, table,
            "SELECT name FROM " + SqlStatements.quoteIdentifier(table) + " ORDER BY id;", tick)
        .orElse(List.of()).stream().map(row -> row.get("name")).toList();
  }

  /** The restore points with the ledger each database has now (taken under its lock: nothing moves it). */
  public static List<RestorePoint> withLedgers(
      DeploymentTarget target, DeploymentPlan plan, List<RestorePoint> points, Tick tick) {
    List<RestorePoint> recorded = new ArrayList<>();
    for (RestorePoint point : points) {
      recorded.add(point.withLedger(ledger(target, plan, database(plan, point), tick)));
    }
    return recorded;
  }

  /**
   * Refuses a restore when the database moved on since {@code point} through someone else.
   *
   * @throws RestoreRefusedException saying what changed, that nothing was restored, and what to do
   */
  public static void check(DeploymentTarget target, DeploymentPlan plan, RestorePoint point, Tick tick) {
    if (point.ledger() == null) {
      return; // a restore point of an earlier version: it does not know its ledger
    }
    DatabasePlan db = database(plan, point);
    List<String> planned = db.migrations() == null ? List.of()
        : db.migrations().stream().map(MigrationFile::name).toList();
    List<String> now = ledger(target, plan, db, tick);
    RestorePoint.Divergence divergence = point.divergence(now, planned);
    if (divergence.isEmpty()) {
      return;
    }
    List<String> ours = now.stream().filter(name -> !point.ledger().contains(name)
        && !divergence.added().contains(name)).toList();
    List<String> changes = new ArrayList<>();
    if (!divergence.added().isEmpty()) {
      changes.add(String.join(", ", divergence.added()) + " applied after it, not by this deployment");
    }
    if (!divergence.removed().isEmpty()) {
      changes.add(String.join(", ", divergence.removed()) + " removed from its ledger since");
    }
    throw new RestoreRefusedException(db.binding() + " (" + describe(db) + ") moved on since this deployment's"
        + " restore point " + point.location() + ": " + String.join("; ", changes) + " (by another deployment"
        + " sharing the database, or by hand). Restoring would undo that too, so nothing was restored: "
        + db.binding() + " keeps " + (ours.isEmpty() ? "its migrations" : "this deployment's migrations ("
        + String.join(", ", ours) + ") and the later ones") + ". A person must decide: undo this deployment's"
        + " migrations with a new migration and deploy it, or restore " + point.location() + " by hand (see"
        + " docs/operations.md, \"A restore was refused\") and deploy again whatever the later migrations"
        + " belong to.");
  }

  private static String describe(DatabasePlan db) {
    String name = db.databaseName() == null ? "" : db.databaseName() + ", ";
    return name + "database_id " + (db.databaseId() == null ? "none" : db.databaseId());
  }

  private static DatabasePlan database(DeploymentPlan plan, RestorePoint point) {
    return plan.databases().stream().filter(d -> d.binding().equals(point.binding())).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("the plan has no database " + point.binding()));
  }

  /** A restore refused because the database moved on since its restore point through someone else. */
  public static final class RestoreRefusedException extends RuntimeException {
    public RestoreRefusedException(String message) {
      super(message);
    }
  }
}
