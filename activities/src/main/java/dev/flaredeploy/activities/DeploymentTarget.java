package dev.flaredeploy.activities;

import dev.flaredeploy.activities.config.ConfigException;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.activities.safety.SqlStatements;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.RestorePoint;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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

  /**
   * One database as the checks need it: its ledger, flaredeploy's recorded checksums and its schema (never
   * its data), read together (targets do so in one round trip where they can). Read-only, and creates
   * nothing: a database that does not exist yet is {@link DatabaseState#ABSENT}. The default reads through
   * {@link #queryTable}, one query each.
   */
  default DatabaseState inspect(DeploymentPlan plan, DatabasePlan database, Tick tick) {
    String ledger = database.migrationsTable();
    List<String> applied = queryTable(plan, database, ledger,
        "SELECT name FROM " + SqlStatements.quoteIdentifier(ledger) + " ORDER BY id;", tick)
        .orElse(List.of()).stream().map(row -> row.get("name")).toList();
    Map<String, Checksums.Recorded> checksums = new LinkedHashMap<>();
    if (!applied.isEmpty()) {
      queryTable(plan, database, Checksums.TABLE, Checksums.SELECT, tick).orElse(List.of()).forEach(row ->
          checksums.put(row.get("name"), new Checksums.Recorded(row.get("name"), row.get("sha256"),
              row.get("applied_at"), row.get("accepted_reason"), row.get("accepted_by"), row.get("accepted_at"))));
    }
    List<DatabaseState.SchemaObject> schema = queryTable(plan, database, "sqlite_master",
        DatabaseState.SCHEMA_QUERY, tick).orElse(List.of()).stream()
        .map(row -> new DatabaseState.SchemaObject(row.get("type"), row.get("name"), row.get("tbl_name"),
            row.get("sql")))
        .toList();
    return new DatabaseState(true, applied, checksums, schema);
  }

  /**
   * How many databases of one plan {@link #inspect} may read at the same time: the pre-deploy checks read
   * every database of a run before they start, concurrently up to this. 1 by default (the default reads
   * start wrangler processes); a target whose reads are plain requests or file reads raises it.
   */
  default int concurrentReads() {
    return 1;
  }

  /**
   * The rows of a read-only {@code sql} (a SELECT the checks compose to probe the data a migration depends
   * on, e.g. duplicates over the columns of a new UNIQUE index), column → value as text, null for SQL
   * NULL. The query must bound its own result ({@code LIMIT}). Changes nothing. The default runs it through
   * {@link #queryTable}, where a table that does not exist reads as no rows; targets override it.
   */
  default List<Map<String, String>> probe(DeploymentPlan plan, DatabasePlan database, String sql, Tick tick) {
    return queryTable(plan, database, "", sql, tick).orElse(List.of());
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

  /**
   * Applies pending migrations of one binding in wrangler's order, each atomically with its ledger row, and
   * returns the ledger afterwards. Looks first: a retry applies only what the ledger lacks.
   *
   * <p>Each applied migration's checksum ({@link Checksums#recordStatement}, INSERT OR IGNORE) is recorded
   * in the same transaction (the same D1 batch) as the migration and its ledger row, so no migration is ever
   * applied without its checksum; migrations the ledger lists without one are adopted (recorded with their
   * files' checksums).
   *
   * @throws dev.flaredeploy.activities.local.MigrationFailedException when a migration's SQL fails: it left
   *     no trace, the migrations before it stay applied (and recorded), the ones after it were not tried
   */
  List<String> applyMigrations(DeploymentPlan plan, DatabasePlan database, Tick tick);


  /** Puts the plan's source live; returns the URL where it answers. */
  String release(DeploymentPlan plan, Tick tick);

  /** Puts {@code version} live again, or (null) stops what this plan released. Returns what it did. */
  String rollback(DeploymentPlan plan, String version, Tick tick);

  /** Puts one database back to its restore point. Returns what it did. */
  String restore(DeploymentPlan plan, RestorePoint restorePoint, Tick tick);

  /**
   * Whether release {@code version} of {@code plan} can still be put live by {@link #rollback} (local: its working
   * copy or its snapshot is kept on this machine). Changes nothing. By default: yes (the target's own rollback
   * says otherwise when it is not).
   */
  default boolean releaseKept(DeploymentPlan plan, String version) {
    return true;
  }

  /** Whether {@link #restore} can still use {@code restorePoint} (local: its file is kept). By default: yes. */
  default boolean restorePointKept(RestorePoint restorePoint) {
    return true;
  }

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
