package dev.flaredeploy.activities;

import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.RestorePoint;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a deployment goes (local, cloudflare): the steps' side effects, without Temporal concerns.
 * Every method may run twice for the same deployment and must look before it acts. {@code tick} is
 * called about once a second while a method works (the caller heartbeats from it).
 */
public interface DeploymentTarget {

  /** Applied and pending migrations per database. Changes nothing. */
  List<DatabaseStatus> databases(DeploymentPlan plan, Tick tick);

  /**
   * The database as it is now, as SQL (schema and data), for checking pending migrations in a shadow;
   * empty when this target cannot export (the check is then skipped). Changes nothing.
   */
  default Optional<String> databaseExport(DeploymentPlan plan, DatabasePlan database, Tick tick) {
    return Optional.empty();
  }

  /**
   * The rows of a read-only {@code sql} on one binding's database (column → value as text, null for SQL
   * NULL), in order; empty when {@code table}, which the query reads, does not exist there (yet). Used for
   * flaredeploy's own bookkeeping ({@code safety.Checksums}). Changes nothing.
   */
  Optional<List<Map<String, String>>> queryTable(
      DeploymentPlan plan, DatabasePlan database, String table, String sql, Tick tick);

  /**
   * Runs {@code sql} (one or more statements) on one binding's database as one batch, for flaredeploy's
   * own bookkeeping. The statements must be safe to run again (a retry does).
   */
  void executeBatch(DeploymentPlan plan, DatabasePlan database, String sql, Tick tick);

  /** The release version serving now, if any: what a rollback puts back. */
  Optional<String> liveRelease(DeploymentPlan plan);

  /**
   * The source id that is live now, if any: what the workflow compares with {@code plan.source().id()} to
   * decide that there is nothing to release. By default the release version is the source id (as on the
   * local target); targets whose release versions are their own ids map them back. Changes nothing.
   */
  default Optional<String> liveSource(DeploymentPlan plan, Tick tick) {
    return liveRelease(plan);
  }

  /** A restore point per database, named after {@code runId} so a retry reuses its own restore point. */
  List<RestorePoint> checkpoint(DeploymentPlan plan, String runId, Tick tick);

  /** Applies pending migrations of one binding; returns its ledger afterwards. */
  List<String> applyMigrations(DeploymentPlan plan, DatabasePlan database, Tick tick);

  /** Puts the plan's source live; returns the URL where it answers. */
  String release(DeploymentPlan plan, Tick tick);

  /** Puts {@code version} live again, or (null) stops what this plan released. Returns what it did. */
  String rollback(DeploymentPlan plan, String version, Tick tick);

  /** Puts one database back to its restore point. Returns what it did. */
  String restore(DeploymentPlan plan, RestorePoint restorePoint, Tick tick);
}
