package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.activities.DatabaseState;
import dev.flaredeploy.activities.DatabaseState.SchemaObject;
import dev.flaredeploy.activities.cloudflare.api.CloudflareApi;
import dev.flaredeploy.activities.cloudflare.api.CloudflareApi.D1Database;
import dev.flaredeploy.activities.cloudflare.api.CloudflareApi.D1Result;
import dev.flaredeploy.activities.cloudflare.api.CloudflareApi.QueryKind;
import dev.flaredeploy.activities.cloudflare.api.CloudflareApiException;
import dev.flaredeploy.activities.cloudflare.api.D1SqlException;
import dev.flaredeploy.activities.local.LocalWorkspace;
import dev.flaredeploy.activities.local.MigrationFailedException;
import dev.flaredeploy.activities.process.Concurrently;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.activities.safety.SqlStatements;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.MigrationFile;
import dev.flaredeploy.workflows.model.RestorePoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The D1 side of the Cloudflare target: reads, migrations, restore points and provisioning, through D1's
 * REST API ({@link CloudflareApi}) — one {@code /query} per round trip, the databases of a plan read
 * concurrently. wrangler runs only for a kept SQL export ({@code [checkpoint] export = true}), the one data
 * export left, which a user asks for explicitly: no check ever exports (D1 makes a database unavailable to
 * queries while an export runs).
 *
 * <p>Every method looks before it acts and may run again: {@link #applyMigrations} reads the ledger first
 * and applies only what it lacks, each file as one atomic batch with its ledger row and checksum row.
 */
final class CloudflareDatabases {
  /** D1's default ledger table. */
  static final String DEFAULT_LEDGER = "d1_migrations";
  /** How often a migration whose answer was lost is looked for and, when missing, sent again. */
  private static final int RESENDS = 3;

  private final CloudflareWrangler wrangler;
  private final LocalWorkspace workspace;

  CloudflareDatabases(CloudflareWrangler wrangler, LocalWorkspace workspace) {
    this.wrangler = wrangler;
    this.workspace = workspace;
  }

  // ---- reads ----

  /**
   * Ledger, recorded checksums and schema in one {@code /query} (three statements, one result each). A
   * table that does not exist yet fails the whole batch; then what exists is read again without it (a
   * second round trip, only before the first apply and before the first checksum is recorded).
   */
  DatabaseState inspect(CloudflareProject project, DatabasePlan db, Tick tick) {
    String ledger = ledgerTable(db);
    String readLedger = "SELECT name FROM " + SqlStatements.quoteIdentifier(ledger) + " ORDER BY id;";
    try {
      List<D1Result> results = read(project, db, readLedger + "\n" + Checksums.SELECT + "\n"
          + DatabaseState.SCHEMA_QUERY, tick);
      return new DatabaseState(true, names(results.get(0)), checksums(results.get(1)), schema(results.get(2)));
    } catch (D1SqlException e) {
      if (e.isMissingTable(ledger)) { // nothing applied yet: no checksums to compare either
        return new DatabaseState(true, List.of(), Map.of(),
            schema(read(project, db, DatabaseState.SCHEMA_QUERY, tick).get(0)));
      }
      if (e.isMissingTable(Checksums.TABLE)) {
        List<D1Result> results = read(project, db, readLedger + "\n" + DatabaseState.SCHEMA_QUERY, tick);
        return new DatabaseState(true, names(results.get(0)), Map.of(), schema(results.get(1)));
      }
      throw failed(e, "read the ledger, checksums and schema of " + db.binding());
    }
  }

  /** A read-only probe ({@code SELECT} or {@code WITH}): its rows; none when a table it reads is missing. */
  List<Map<String, String>> probe(CloudflareProject project, DatabasePlan db, String sql, Tick tick) {
    requireReadOnly(sql);
    try {
      return read(project, db, sql, tick).get(0).rows();
    } catch (D1SqlException e) {
      if (e.d1Message().toLowerCase(Locale.ROOT).contains("no such table")) {
        return List.of();
      }
      throw failed(e, "probe " + db.binding());
    }
  }

  /** The rows of a read-only query; empty when {@code table} does not exist. */
  Optional<List<Map<String, String>>> queryTable(
      CloudflareProject project, DatabasePlan db, String table, String sql, Tick tick) {
    try {
      return Optional.of(read(project, db, sql, tick).get(0).rows());
    } catch (D1SqlException e) {
      if (e.isMissingTable(table)) {
        return Optional.empty();
      }
      throw failed(e, "read " + table + " of " + db.binding());
    }
  }

  /** flaredeploy's own bookkeeping, which may run twice: one {@code /query}, retried like a read. */
  void executeBatch(CloudflareProject project, DatabasePlan db, String sql, Tick tick) {
    try {
      query(project, db, sql, QueryKind.REPEATABLE_WRITE, tick);
    } catch (D1SqlException e) {
      throw failed(e, "write flaredeploy's bookkeeping to " + db.binding());
    }
  }

  /**
   * Problems that would stop a deployment before it changes anything, one line each: a database the
   * account does not have (404), a token that may not read it (401/403), a database D1's Time Travel does
   * not cover ({@code alpha}). Reads every database's info at once.
   */
  List<String> problems(CloudflareProject project, Tick tick) {
    String account = project.accountId(tick);
    List<Supplier<Optional<String>>> checks = new ArrayList<>();
    for (DatabasePlan db : project.plan().databases()) {
      checks.add(() -> problem(project, account, db));
    }
    return Concurrently.all(tick, checks).stream().flatMap(Optional::stream).toList();
  }

  private Optional<String> problem(CloudflareProject project, String account, DatabasePlan db) {
    try {
      D1Database info = project.api().database(account, db.databaseId(), Tick.NONE);
      if ("alpha".equals(info.version())) {
        return Optional.of("D1 binding " + db.binding() + ": database " + db.databaseId() + " is an alpha"
            + " database, which Time Travel does not cover, so flaredeploy cannot take a restore point before"
            + " migrating it; move it to D1's production backend first (see Cloudflare's D1 migration guide)");
      }
      return Optional.empty();
    } catch (CloudflareApiException e) {
      if (e.status() == 404) {
        return Optional.of("D1 binding " + db.binding() + ": account " + account + " has no D1 database "
            + db.databaseId() + " (database_id in " + project.configFileName() + "); use the id `wrangler d1"
            + " list` shows for " + (db.databaseName() == null ? "the database" : db.databaseName())
            + ", or check that " + CloudflareCredentials.ACCOUNT_ID + " (or account_id) names its account");
      }
      if (e.status() == 401 || e.status() == 403) {
        return Optional.of("D1 binding " + db.binding() + ": Cloudflare refused to read database "
            + db.databaseId() + " (HTTP " + e.status() + "): give the token in " + CloudflareCredentials.TOKEN
            + " the D1:Edit permission on account " + account + ", or check that the token is valid");
      }
      throw e;
    }
  }

  // ---- restore points ----

  /**
   * A Time Travel bookmark per database (read at once); with {@code plan.checkpointExport()} also an SQL
   * export per database through {@code wrangler d1 export --remote}, kept as {@code
   * <home>/cloudflare/<service>/<env>/checkpoints/<runId>/<BINDING>.sql} (a retry keeps the export its first
   * attempt completed). An export that fails fails the checkpoint (not retried: nothing was changed, and D1
   * cannot export some databases at all, e.g. with FTS5 tables).
   */
  List<RestorePoint> checkpoint(CloudflareProject project, String runId, Tick tick) {
    String account = project.accountId(tick);
    List<Supplier<String>> bookmarks = new ArrayList<>();
    for (DatabasePlan db : project.plan().databases()) {
      requireDatabaseId(db);
      bookmarks.add(() -> project.api().bookmark(account, db.databaseId(), Tick.NONE));
    }
    List<String> taken = Concurrently.all(tick, bookmarks);
    List<RestorePoint> points = new ArrayList<>();
    for (int i = 0; i < taken.size(); i++) {
      DatabasePlan db = project.plan().databases().get(i);
      String export = project.plan().checkpointExport() ? keptExport(project, db, runId, tick).toString() : null;
      points.add(new RestorePoint(db.binding(), taken.get(i), export));
    }
    return points;
  }

  /** Where kept checkpoint exports of this plan's service and environment go. */
  Path checkpointsDir(DeploymentPlan plan) {
    return workspace.home().resolve("cloudflare").resolve(plan.service()).resolve(plan.environment())
        .resolve("checkpoints");
  }

  private Path keptExport(CloudflareProject project, DatabasePlan db, String runId, Tick tick) {
    Path dir = checkpointsDir(project.plan()).resolve(runId);
    Path kept = dir.resolve(db.binding() + ".sql");
    if (Files.isRegularFile(kept)) {
      return kept;
    }
    try {
      Files.createDirectories(dir);
      Path partial = dir.resolve(db.binding() + ".sql.partial");
      WranglerRun run = wrangler.run(project, tick, List.of("d1", "export", db.binding(), "--remote", "--output",
          partial.toAbsolutePath().toString(), "-y"));
      if (!run.succeeded()) {
        Files.deleteIfExists(partial);
        throw new CloudflareException(FailureTypes.WRANGLER_FAILED, false,
            "could not keep an SQL export of " + db.binding() + " with the checkpoint ([checkpoint] export = true): "
                + run.command() + ": " + run.complaint() + "; D1 cannot export databases with virtual tables such"
                + " as FTS5; nothing was changed. Deploy again, or set [checkpoint] export = false for this"
                + " environment to rely on the Time Travel bookmark alone");
      }
      Files.move(partial, kept, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return kept;
    } catch (IOException e) {
      throw new UncheckedIOException("could not keep the export of " + db.binding() + " in " + dir, e);
    }
  }

  /**
   * Restores one database to its bookmark ({@code POST …/time_travel/restore}); restoring to the same
   * bookmark twice leaves the same data. Time Travel reaches back 30 days (7 on the Workers Free plan).
   */
  String restore(CloudflareProject project, RestorePoint point, Tick tick) {
    DatabasePlan db = project.database(point.binding());
    requireDatabaseId(db);
    CloudflareApi.Restored restored;
    try {
      restored = project.api().restore(project.accountId(tick), db.databaseId(), point.location(), tick);
    } catch (CloudflareApiException e) {
      throw new CloudflareException(e.failureType(), e.retryable(), "could not restore " + db.binding()
          + " to bookmark " + point.location() + " (Time Travel reaches back 30 days, 7 on the Free plan): "
          + e.getMessage());
    }
    return "restored " + db.binding() + " to bookmark " + restored.bookmark()
        + (restored.previousBookmark() == null ? ""
            : "; to undo: wrangler d1 time-travel restore " + db.binding() + " --bookmark "
                + restored.previousBookmark() + project.envFlag());
  }

  // ---- migrations ----

  /**
   * Applies the binding's pending migrations over {@code /query}, as {@code wrangler d1 migrations apply
   * --remote} does, with flaredeploy's checksum in the same batch:
   *
   * <ol>
   *   <li>One {@code /query}: the ledger table created as wrangler creates it, the checksum table, and both
   *       read.
   *   <li>Per pending file, in the plan's (wrangler's) order, one {@code /query}: the file, its ledger row
   *       and its checksum row, which D1 runs as one atomic batch. The first batch also records the checksums
   *       of applied migrations that have none yet (applied before flaredeploy kept checksums).
   * </ol>
   *
   * A batch whose answer is lost (5xx, connection) is looked for in the ledger and sent again only when it
   * is not there; a batch that meets its own ledger row (UNIQUE name) was applied already. Returns the
   * ledger afterwards.
   *
   * @throws MigrationFailedException when D1 refuses a file's SQL; the files before it stay applied
   */
  List<String> applyMigrations(CloudflareProject project, DatabasePlan db, Tick tick) {
    requireDatabaseId(db);
    String ledger = ledgerTable(db);
    Map<String, String> files = files(db);
    Look look = lookAndPrepare(project, db, tick);
    List<String> appliedNow = new ArrayList<>();
    Map<String, String> unrecorded = unrecorded(files, look);
    for (String name : files.keySet()) {
      if (look.applied().contains(name)) {
        continue;
      }
      Map<String, String> checksums = new LinkedHashMap<>(unrecorded);
      checksums.put(name, files.get(name));
      String batch = migration(project, db, name) + "\nINSERT INTO " + ledger + " (name) values ("
          + Checksums.literal(name) + ");\n" + Checksums.recordStatement(checksums);
      look = applyOnce(project, db, name, batch, look, appliedNow, tick);
      unrecorded = unrecorded(files, look);
    }
    if (!unrecorded.isEmpty()) { // adopted files without a batch to ride along with (nothing was pending)
      executeBatch(project, db, Checksums.recordStatement(unrecorded), tick);
    }
    return look.applied();
  }

  /** The ledger and the recorded checksum names of a database. */
  private record Look(List<String> applied, Set<String> recorded) {
    Look with(String name) {
      List<String> applied = new ArrayList<>(this.applied);
      applied.add(name);
      Set<String> recorded = new LinkedHashSet<>(this.recorded);
      recorded.add(name);
      return new Look(List.copyOf(applied), recorded);
    }
  }

  private Look lookAndPrepare(CloudflareProject project, DatabasePlan db, Tick tick) {
    String ledger = ledgerTable(db);
    String sql = ledgerDdl(ledger) + "\n" + Checksums.CREATE_TABLE + "\nSELECT name FROM "
        + SqlStatements.quoteIdentifier(ledger)
        + " ORDER BY id;\nSELECT name FROM " + Checksums.TABLE + " ORDER BY name;";
    try {
      List<D1Result> results = query(project, db, sql, QueryKind.REPEATABLE_WRITE, tick);
      return new Look(names(results.get(2)), new HashSet<>(names(results.get(3))));
    } catch (D1SqlException e) {
      throw failed(e, "read the migrations ledger " + ledger + " of " + db.binding());
    }
  }

  private Look look(CloudflareProject project, DatabasePlan db, Tick tick) {
    String ledger = ledgerTable(db);
    try {
      List<D1Result> results = read(project, db, "SELECT name FROM " + SqlStatements.quoteIdentifier(ledger)
          + " ORDER BY id;\n"
          + "SELECT name FROM " + Checksums.TABLE + " ORDER BY name;", tick);
      return new Look(names(results.get(0)), new HashSet<>(names(results.get(1))));
    } catch (D1SqlException e) {
      throw failed(e, "read the migrations ledger " + ledger + " of " + db.binding());
    }
  }

  /** Sends one migration's batch; returns the look afterwards. */
  private Look applyOnce(CloudflareProject project, DatabasePlan db, String name, String batch, Look before,
      List<String> appliedNow, Tick tick) {
    for (int send = 0; ; send++) {
      try {
        query(project, db, batch, QueryKind.WRITE, tick);
        appliedNow.add(name);
        return before.with(name);
      } catch (D1SqlException e) {
        if (e.isUniqueViolation(ledgerTable(db), "name")) {
          Look now = look(project, db, tick); // its ledger row is there: an earlier send went through
          if (now.applied().contains(name)) {
            appliedNow.add(name);
            return now;
          }
        }
        List<String> ledger = new ArrayList<>(before.applied());
        throw new MigrationFailedException(db.binding(), name, e.d1Message(), ledger, List.copyOf(appliedNow));
      } catch (CloudflareApiException e) {
        if (!e.outcomeUnknown() || send >= RESENDS) {
          throw new CloudflareException(e.failureType(), e.retryable(), "migration " + name + " on "
              + db.binding() + " did not complete: " + e.getMessage() + "; the ledger " + ledgerTable(db)
              + " lists " + describe(before.applied()) + "; a retry applies what is still pending");
        }
        Look now = look(project, db, tick); // did it apply? look before sending it again
        if (now.applied().contains(name)) {
          appliedNow.add(name);
          return now;
        }
      }
    }
  }

  /** Files in the plan that the ledger lists but whose checksum was never recorded: name → sha256. */
  private static Map<String, String> unrecorded(Map<String, String> files, Look look) {
    Map<String, String> missing = new LinkedHashMap<>();
    for (String name : look.applied()) {
      if (files.containsKey(name) && !look.recorded().contains(name)) {
        missing.put(name, files.get(name));
      }
    }
    return missing;
  }

  /** A migration file of the pinned source, checked against the sha256 prepare recorded for it. */
  private static String migration(CloudflareProject project, DatabasePlan db, String name) {
    Path file = project.dir().resolve(db.migrationsDir()).resolve(name);
    try {
      byte[] bytes = Files.readAllBytes(file);
      String expected = files(db).get(name);
      if (expected != null && !expected.equalsIgnoreCase(Checksums.sha256(bytes))) {
        throw new CloudflareException(FailureTypes.SOURCE_UNAVAILABLE, false, "migration " + name + " of "
            + db.binding() + " in the pinned source no longer has the sha256 prepare recorded (" + file + ")");
      }
      return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read migration " + file, e);
    }
  }

  /** The ledger table as {@code wrangler d1 migrations apply} creates it. */
  static String ledgerDdl(String table) {
    return "CREATE TABLE IF NOT EXISTS " + table + "(\n\t\tid         INTEGER PRIMARY KEY AUTOINCREMENT,\n"
        + "\t\tname       TEXT UNIQUE,\n\t\tapplied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL\n);";
  }

  // ---- provisioning ----

  /**
   * For each binding without a {@code database_id}, the database named by its {@code database_name}: found
   * by name, else created; with the config entry to add. Never edits a file. A retry finds what an earlier
   * attempt created.
   */
  List<ProvisionedDatabase> provision(CloudflareProject project, Tick tick) {
    List<DatabasePlan> missing = project.plan().databases().stream()
        .filter(db -> db.databaseId() == null || db.databaseId().isBlank())
        .toList();
    if (missing.isEmpty()) {
      return List.of();
    }
    String account = project.accountId(tick);
    List<ProvisionedDatabase> provisioned = new ArrayList<>();
    for (DatabasePlan db : missing) {
      String name = db.databaseName();
      Optional<D1Database> existing = project.api().databasesNamed(account, name, tick).stream().findFirst();
      boolean created = existing.isEmpty();
      String id;
      try {
        id = existing.orElseGet(() -> project.api().createDatabase(account, name, tick)).uuid();
      } catch (CloudflareApiException e) {
        if (!e.outcomeUnknown()) {
          throw e;
        }
        id = project.api().databasesNamed(account, name, tick).stream().findFirst().orElseThrow(() -> e).uuid();
      }
      provisioned.add(new ProvisionedDatabase(db.binding(), name, id, created,
          ConfigSnippet.of(project.plan().configFile(), project.plan().environment(), db, id)));
    }
    return provisioned;
  }

  // ---- helpers ----

  private List<D1Result> read(CloudflareProject project, DatabasePlan db, String sql, Tick tick) {
    return query(project, db, sql, QueryKind.READ, tick);
  }

  private List<D1Result> query(CloudflareProject project, DatabasePlan db, String sql, QueryKind kind, Tick tick) {
    requireDatabaseId(db);
    return project.api().query(project.accountId(tick), db.databaseId(), sql, kind, tick);
  }

  /** A statement D1 refused where none should fail: a typed failure naming what was being done. */
  private static CloudflareException failed(D1SqlException e, String doing) {
    return new CloudflareException(e.failureType(), false, "could not " + doing + ": " + e.getMessage());
  }

  static void requireDatabaseId(DatabasePlan db) {
    if (db.databaseId() == null || db.databaseId().isBlank()) {
      throw new CloudflareException(FailureTypes.CONFIG_INVALID, false,
          "D1 binding " + db.binding() + " has no database_id, which the Cloudflare target needs");
    }
  }

  private static void requireReadOnly(String sql) {
    String start = sql.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("--[^\n]*", " ").strip()
        .toUpperCase(Locale.ROOT);
    if (!start.startsWith("SELECT") && !start.startsWith("WITH")) {
      throw new IllegalArgumentException("a probe must be a read-only SELECT: " + sql);
    }
  }

  static String ledgerTable(DatabasePlan db) {
    String table = db.migrationsTable();
    return table == null || table.isBlank() ? DEFAULT_LEDGER : table;
  }

  private static Map<String, String> files(DatabasePlan db) {
    Map<String, String> files = new LinkedHashMap<>();
    if (db.migrations() != null) {
      for (MigrationFile file : db.migrations()) {
        files.put(file.name(), file.sha256());
      }
    }
    return files;
  }

  private static List<String> names(D1Result result) {
    return result.rows().stream().map(row -> row.get("name")).toList();
  }

  private static Map<String, Checksums.Recorded> checksums(D1Result result) {
    Map<String, Checksums.Recorded> recorded = new LinkedHashMap<>();
    result.rows().forEach(row -> recorded.put(row.get("name"), new Checksums.Recorded(row.get("name"),
        row.get("sha256"), row.get("applied_at"), row.get("accepted_reason"), row.get("accepted_by"),
        row.get("accepted_at"))));
    return recorded;
  }

  private static List<SchemaObject> schema(D1Result result) {
    return result.rows().stream()
        .map(row -> new SchemaObject(row.get("type"), row.get("name"), row.get("tbl_name"), row.get("sql")))
        .toList();
  }

  private static String describe(List<String> names) {
    return names.isEmpty() ? "nothing" : String.join(", ", names);
  }
}
