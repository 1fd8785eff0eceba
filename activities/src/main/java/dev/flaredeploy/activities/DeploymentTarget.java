package dev.flaredeploy.activities;

import dev.flaredeploy.activities.config.ConfigException;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.RestorePoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a deployment goes (local, cloudflare): the steps' side effects, without Temporal concerns.
 * Every method may run twice for the same deployment and must look before it acts. {@code tick} is
 * called about once a second while a method works (the caller heartbeats from it).
 */
public interface DeploymentTarget {

  /**
   * What this target needs before a deployment of {@code plan} can read or change anything (credentials,
   * ids in the config, account settings), checked first by validate-schema and by {@code flaredeploy plan}.
   * Problems block the deployment with their messages; warnings are shown. Changes nothing. By default
   * there is nothing to check.
   *
   * @throws RuntimeException a typed failure when the check itself cannot run (e.g. no credentials at all)
   */
  default PreflightReport preflight(DeploymentPlan plan, Tick tick) {
    return PreflightReport.READY;
  }

  /** Applied and pending migrations per database. Changes nothing. */
  List<DatabaseStatus> databases(DeploymentPlan plan, Tick tick);

  /**
   * The database as it is now, as SQL (schema and data), for checking pending migrations in a shadow;
   * empty when this target cannot export (the check is then skipped). Changes nothing.
   *
   * @throws ExportFailedException when this target can export but this database's export failed (the
   *     check is then skipped with the reason as a warning)
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

  /**
   * The names of the secrets the Worker has (or, on the local target, will be served with) in the plan's
   * environment, for the {@code required_secrets} policy. Names only: a value is never read into a result.
   * Empty when the Worker does not exist yet. Changes nothing.
   */
  List<String> secretNames(DeploymentPlan plan, Tick tick);

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

  // ---- gradual rollout: only targets that can split traffic between two versions ----

  /** A version uploaded without traffic: its id, the Worker's name, and where the Worker answers. */
  record UploadedVersion(String versionId, String workerName, String url) {}

  /**
   * Uploads the plan's source as a new version without giving it traffic; reuses the version an earlier
   * attempt uploaded for the same source.
   */
  default UploadedVersion uploadVersion(DeploymentPlan plan, Tick tick) {
    throw cannotSplitTraffic(plan);
  }

  /**
   * Gives {@code versionId} {@code percent} of the traffic and {@code previousVersionId} the rest (null
   * when {@code percent} is 100); nothing when that split already serves. Returns what it did.
   */
  default String shiftTraffic(
      DeploymentPlan plan, String versionId, String previousVersionId, int percent, Tick tick) {
    throw cannotSplitTraffic(plan);
  }

  /** The request headers that send a request to {@code versionId} whatever its share of the traffic. */
  default Map<String, String> versionHeaders(DeploymentPlan plan, String workerName, String versionId) {
    throw cannotSplitTraffic(plan);
  }

  private static ConfigException cannotSplitTraffic(DeploymentPlan plan) {
    return new ConfigException(Path.of(plan.source().path()).resolve("flaredeploy.toml"), 0, "rollout",
        "the " + plan.target() + " target cannot split traffic between two versions; remove [rollout] for "
            + "this environment or deploy to cloudflare");
  }
}
