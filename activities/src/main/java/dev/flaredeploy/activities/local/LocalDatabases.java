package dev.flaredeploy.activities.local;

import dev.flaredeploy.activities.DatabaseState;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.Ticking;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.activities.safety.SqlStatements;
import dev.flaredeploy.activities.safety.WranglerSplitter;
import dev.flaredeploy.workflows.model.MigrationFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The D1 databases of the local target, read and written directly in the SQLite files that {@code wrangler
 * dev} serves ({@link D1Files}, {@link D1Connections}): no process is started. A read takes milliseconds
 * where a {@code wrangler d1} command took 1.5–2 s.
 *
 * <p>Migrations are applied as {@code wrangler d1 migrations apply --local} applies them (shared notes on
 * wrangler §1): the ledger table created as wrangler creates it, each pending file in wrangler's order with
 * the ledger row wrangler appends, cut into statements by wrangler's own splitter, in one transaction with
 * foreign keys enforced, workerd's limits and (most of) its authorizer ({@link D1Authorizer}); a failing file rolls back entirely, files before it stay
 * applied and files after it are not tried. Unlike wrangler, the same transaction also records the file's
 * checksum ({@link Checksums}), so no migration is ever applied without its checksum.
 *
 * <p>A restore point is a copy of the database file made with SQLite's online backup API (one read
 * transaction: a consistent copy while the release serves), and a restore copies it back the same way in
 * one write transaction: all or nothing, and the serving release sees the restored database at once.
 *
 * <p>Every operation is idempotent and may be retried after a crash: reads change nothing (and create
 * nothing: a database never created reads as absent), {@link #applyMigrations} looks at the ledger inside
 * each migration's transaction before applying it, {@link #checkpoint} keeps a restore point once complete,
 * and restoring twice gives the same database. A {@code wrangler d1} left writing the same state by a
 * worker of an earlier flaredeploy version that died (it outlives the killed JVM) is waited for before
 * applying, writing or restoring, so a retry never races the attempt it replaces.
 *
 * <p>Failures: {@link MigrationFailedException} when a migration's SQL fails (retrying cannot help); {@link
 * D1CommandException} when the database cannot be read or written (locked for longer than the busy
 * timeout, unreadable, a full disk); {@link RestoreFailedException} when a restore cannot complete.
 */
public class LocalDatabases {
  /** How long a leftover {@code wrangler d1} writer is waited for before giving up. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(10);

  /** The first line of every {@code d1 export} (miniflare's dumpSql), even of an empty database. */
  static final String EXPORT_HEADER = "PRAGMA defer_foreign_keys=TRUE;";

  /** What an SQLite message looks like through sqlite-jdbc: {@code [CODE] description (message)}. */
  private static final Pattern JDBC_MESSAGE = Pattern.compile("^\\[(\\w+)\\][^(]*\\((.*)\\)\\s*$", Pattern.DOTALL);

  private final Duration commandTimeout;
  private final Duration busyTimeout;

  public LocalDatabases() {
    this(DEFAULT_COMMAND_TIMEOUT, D1Connections.BUSY_TIMEOUT);
  }

  /**
   * @param commandTimeout how long a leftover {@code wrangler d1} writer is waited for
   * @param busyTimeout how long a write waits for the write lock that the release (or another writer) holds
   */
  public LocalDatabases(Duration commandTimeout, Duration busyTimeout) {
    this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
    this.busyTimeout = Objects.requireNonNull(busyTimeout, "busyTimeout");
  }


  // ---- reads: read-only connections, nothing created ---------------------------------------------

  /**
   * Ledger, flaredeploy's checksums and schema in one read transaction; {@link DatabaseState#ABSENT} when
   * the database was never created. Read-only.
   */
  public DatabaseState inspect(LocalDatabaseContext ctx, ProcessRunner.Tick tick) {
    return read(ctx, "inspect", connection -> {
      List<String> applied = ledger(connection, ctx.migrationsTable());
      Map<String, Checksums.Recorded> checksums = new LinkedHashMap<>();
      if (D1Connections.tableExists(connection, Checksums.TABLE)) {
        for (Map<String, String> row : D1Connections.rows(connection, Checksums.SELECT)) {
          checksums.put(row.get("name"), new Checksums.Recorded(row.get("name"), row.get("sha256"),
              row.get("applied_at"), row.get("accepted_reason"), row.get("accepted_by"), row.get("accepted_at")));
        }
      }
      List<DatabaseState.SchemaObject> schema = D1Connections.rows(connection, DatabaseState.SCHEMA_QUERY).stream()
          .map(row -> new DatabaseState.SchemaObject(row.get("type"), row.get("name"), row.get("tbl_name"),
              row.get("sql")))
          .toList();
      return new DatabaseState(true, applied, checksums, schema);
    }).orElse(DatabaseState.ABSENT);
  }

  /**
   * The migrations the binding's ledger records, in ledger (application) order. A database or ledger that
   * does not exist yet has none. Read-only.
   */
  public List<String> appliedMigrations(LocalDatabaseContext ctx) {
    return appliedMigrations(ctx, ProcessRunner.Tick.NONE);
  }

  public List<String> appliedMigrations(LocalDatabaseContext ctx, ProcessRunner.Tick tick) {
    return read(ctx, "read the ledger", connection -> ledger(connection, ctx.migrationsTable())).orElse(List.of());
  }

  /**
   * The rows of a read-only {@code sql}, column → value as text (null for SQL NULL); empty when the
   * database or {@code table} does not exist. Read-only.
   */
  public Optional<List<Map<String, String>>> query(
      LocalDatabaseContext ctx, String table, String sql, ProcessRunner.Tick tick) {
    return read(ctx, "query", connection -> {
      if (!table.isEmpty() && !D1Connections.tableExists(connection, table)) {
        return Optional.<List<Map<String, String>>>empty();
      }
      return Optional.of(List.copyOf(D1Connections.rows(connection, sql)));
    }).flatMap(rows -> rows);
  }

  /**
   * The rows of a read-only probe on a read-only, {@code query_only} connection (a statement that would
   * write fails); no rows when the database does not exist.
   */
  public List<Map<String, String>> probe(LocalDatabaseContext ctx, String sql, ProcessRunner.Tick tick) {
    return Ticking.call(tick, "probe", () -> read(ctx, "probe",
        connection -> List.copyOf(D1Connections.rows(connection, sql))).orElse(List.of()));
  }

  /**
   * The database as SQL (schema and data), in {@code wrangler d1 export}'s format; only the header line
   * when it was never created. Read-only.
   */
  public String export(LocalDatabaseContext ctx, ProcessRunner.Tick tick) {
    return Ticking.call(tick, "export", () -> read(ctx, "export", SqlDump::of).orElse(EXPORT_HEADER));
  }

  // ---- writes ----------------------------------------------------------------------------------

  /**
   * Runs {@code sql} (one or more statements) in one transaction (all or nothing), creating the database
   * when it does not exist. Waits first for a wrangler left writing the same state by a killed worker.
   */
  public void executeBatch(LocalDatabaseContext ctx, String sql, ProcessRunner.Tick tick) {
    awaitLeftoverWriters(ctx, tick);
    write(ctx, tick, "execute", false, connection -> {
      inTransaction(connection, () -> D1Connections.exec(connection, sql));
      return null;
    });
  }

  /**
   * Applies the binding's pending migrations (the plan's files the ledger lacks, in the plan's order, which
   * is wrangler's), each in one transaction with its ledger row and its checksum, and returns what this
   * call applied, read back from the ledger. Looks first: when every planned file is applied and recorded,
   * nothing is written. Applied migrations that have no checksum yet (applied before flaredeploy kept
   * checksums, or by wrangler directly) get their files' checksums (adopted). A second call applies nothing.
   *
   * @throws MigrationFailedException when a file fails; it left no trace, the files before it stay applied
   * @throws D1CommandException when the database cannot be written, or a planned file is missing or differs
   *     from the plan
   */
  public ApplyResult applyMigrations(LocalDatabaseContext ctx, ProcessRunner.Tick tick) {
    awaitLeftoverWriters(ctx, tick);
    List<MigrationFile> planned = ctx.database().migrations() == null ? List.of() : ctx.database().migrations();
    String table = ctx.migrationsTable();
    Optional<Looked> looked = read(ctx, "read the ledger", connection -> {
      boolean exists = D1Connections.tableExists(connection, table);
      List<String> ledger = exists ? ledger(connection, table) : List.of();
      Set<String> recorded = new HashSet<>();
      if (D1Connections.tableExists(connection, Checksums.TABLE)) {
        D1Connections.rows(connection, "SELECT name FROM " + Checksums.TABLE).forEach(r -> recorded.add(r.get("name")));
      }
      return new Looked(exists, ledger, recorded);
    });
    List<String> before = looked.map(Looked::ledger).orElse(List.of());
    if (looked.isPresent() && looked.get().done(planned)) {
      return new ApplyResult(ctx.binding(), List.of(), before);
    }
    return write(ctx, tick, "apply migrations", true, connection -> {
      inTransaction(connection, () -> {
        for (String statement : WranglerSplitter.split(createLedgerStatement(table))) {
          D1Connections.exec(connection, statement);
        }
        Map<String, String> adopt = checksums(planned, ledger(connection, table));
        if (!adopt.isEmpty()) {
          D1Connections.exec(connection, Checksums.recordStatement(adopt));
        }
      });
      for (MigrationFile file : planned) {
        if (!ledger(connection, table).contains(file.name())) {
          applyOne(ctx, connection, file, before);
        }
      }
      List<String> after = ledger(connection, table);
      return new ApplyResult(ctx.binding(), without(after, before), after);
    });
  }

  /**
   * One migration in one IMMEDIATE transaction: the ledger looked at again under the write lock, the file
   * with wrangler's ledger row as wrangler splits it, its checksum. A statement that fails rolls it all back.
   */
  private static void applyOne(LocalDatabaseContext ctx, Connection connection, MigrationFile file, List<String> before)
      throws SQLException {
    String table = ctx.migrationsTable();
    String sql = migrationText(ctx, file);
    D1Connections.execute(connection, "BEGIN IMMEDIATE");
    try {
      if (ledger(connection, table).contains(file.name())) {
        D1Connections.execute(connection, "ROLLBACK");
        return; // applied meanwhile by another writer (a leftover wrangler)
      }
      for (String statement : WranglerSplitter.split(sql + ledgerRow(table, file.name()))) {
        if (D1Authorizer.refused(statement).isPresent()) {
          throw new SQLiteException("[SQLITE_AUTH] Authorization denied (not authorized)", SQLiteErrorCode.SQLITE_AUTH);
        }
        D1Connections.exec(connection, statement);
      }
      if (file.sha256() != null) {
        D1Connections.exec(connection, Checksums.recordStatement(Map.of(file.name(), file.sha256())));
      }
    } catch (SQLException e) {
      rollback(connection, e);
      if (environmental(e)) {
        throw e;
      }
      List<String> after = ledger(connection, table);
      throw new MigrationFailedException(ctx.binding(), file.name(), d1Message(e), after, without(after, before));
    }
    try {
      D1Connections.execute(connection, "COMMIT");
    } catch (SQLException e) {
      rollback(connection, e);
      throw e;
    }
  }

  // ---- restore points --------------------------------------------------------------------------

  /**
   * Writes a restore point of the binding's database to {@code output}: a copy of the database file made
   * with SQLite's online backup API in one read transaction (a consistent copy, also while the release
   * serves and writes), as a self-contained SQLite file (rollback journal mode). A database never created
   * gets an empty database as its restore point, and is not created. The file appears complete or not at
   * all; a retry keeps a restore point already written.
   */
  public Path checkpoint(LocalDatabaseContext ctx, Path output, ProcessRunner.Tick tick) {
    Path target = output.toAbsolutePath().normalize();
    if (Files.isRegularFile(target)) {
      return target; // taken by an earlier attempt, before anything changed
    }
    Path partial = target.resolveSibling("." + target.getFileName() + ".partial-" + UUID.randomUUID());
    try {
      Files.createDirectories(target.getParent());
      Ticking.call(tick, "checkpoint", () -> {
        try {
          boolean copied = D1Connections.backup(ctx.file(), partial, busyTimeout, "DELETE"); // self-contained: no -wal
          D1Connections.file(partial, connection -> {
            if (!copied) {
              D1Connections.exec(connection, "CREATE TABLE empty(x); DROP TABLE empty;"); // an empty database
            }
            requireIntact(connection, partial);
            return null;
          });
        } catch (SQLException e) {
          throw new D1CommandException(ctx.binding(), "could not write the restore point " + target + ": "
              + d1Message(e));
        }
        return null;
      });
      D1Connections.deleteCompanions(partial);
      Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the restore point " + target, e);
    } finally {
      deleteQuietly(partial);
      deleteQuietly(D1Connections.sibling(partial, "-journal"));
    }
  }

  /**
   * Puts the binding's database back exactly to {@code restorePoint}: a {@link #checkpoint} file, copied
   * back with SQLite's online backup API in one write transaction, or (restore points of earlier versions)
   * a {@code d1 export}, replayed after dropping every user object, also in one transaction. All or
   * nothing: when the restore cannot complete the database is as it was before, and the exception says what
   * a person must do. A release serving the database meanwhile keeps serving: its reads see the database
   * before or after the restore, never in between, and its writes wait out the restore or fail with
   * SQLITE_BUSY. Restoring twice gives the same database. Other bindings are untouched.
   *
   * @return what it did
   * @throws RestoreFailedException when the restore point is missing or unreadable, or the copy failed
   */
  public String restore(LocalDatabaseContext ctx, Path restorePoint, ProcessRunner.Tick tick) {
    Path point = restorePoint.toAbsolutePath().normalize();
    if (!Files.isRegularFile(point)) {
      throw new RestoreFailedException(ctx, point, "the restore point is missing", false);
    }
    awaitLeftoverWriters(ctx, tick);
    if (point.getFileName().toString().endsWith(".sql")) {
      return restoreExport(ctx, point, tick);
    }
    return Ticking.call(tick, "restore", () -> {
      boolean empty;
      try {
        empty = D1Connections.read(point, connection -> {
          requireIntact(connection, point);
          return D1Connections.rows(connection, "SELECT name FROM sqlite_master").isEmpty();
        }).orElseThrow();
      } catch (SQLException e) {
        throw new RestoreFailedException(ctx, point, "the restore point is unreadable: " + d1Message(e), false);
      }
      if (!Files.exists(ctx.file()) && empty) {
        return "nothing to restore on " + ctx.binding() + ": its database was never created";
      }
      try {
        if (!Files.exists(ctx.file())) {
          D1Connections.write(ctx.file(), busyTimeout, false, connection -> null); // in WAL mode, as workerd has it
        }
        D1Connections.read(point, connection -> {
          D1Connections.copy(connection, ctx.file(), busyTimeout);
          return true;
        });
      } catch (SQLException e) {
        throw new RestoreFailedException(ctx, point, d1Message(e), true);
      }
      return "restored " + ctx.binding() + " from " + point;
    });
  }

  /** Restores a restore point of an earlier flaredeploy version: a {@code d1 export}. */
  private String restoreExport(LocalDatabaseContext ctx, Path dump, ProcessRunner.Tick tick) {
    String content;
    try {
      content = Files.readString(dump, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new RestoreFailedException(ctx, dump, "the restore point is unreadable: " + e.getMessage(), false);
    }
    if (!content.startsWith(EXPORT_HEADER)) {
      throw new RestoreFailedException(ctx, dump, "it is not a d1 export: it does not start with " + EXPORT_HEADER,
          false);
    }
    return write(ctx, tick, "restore", false, connection -> {
      try {
        inTransaction(connection, () -> {
          List<RestoreScript.SchemaObject> current = new ArrayList<>();
          for (Map<String, String> row : D1Connections.rows(connection, RestoreScript.LIST_OBJECTS)) {
            current.add(new RestoreScript.SchemaObject(row.get("type"), row.get("name"), "1".equals(row.get("virtual"))));
          }
          D1Connections.exec(connection, RestoreScript.build(current, content));
        });
      } catch (SQLException e) {
        throw new RestoreFailedException(ctx, dump, d1Message(e), true);
      }
      return "restored " + ctx.binding() + " from " + dump;
    });
  }

  // ---- leftover writers of earlier versions --------------------------------------------------------

  /**
   * Waits while a wrangler that writes this binding's state runs outside this JVM: a {@code d1 migrations
   * apply} or {@code d1 execute --file} on the same {@code --persist-to}, left by an attempt whose worker
   * ran an earlier flaredeploy version (which applied through wrangler) and was killed: wrangler outlives
   * the JVM that started it and carries on with the migrations it began. Applying beside it is safe (each
   * migration looks at the ledger under the write lock), but a restore under it is not: its next migration
   * would land on the restored database. Calls {@code tick} about once a second while waiting.
   *
   * @throws D1CommandException when one still runs after the command timeout (a retry waits again)
   */
  void awaitLeftoverWriters(LocalDatabaseContext ctx, ProcessRunner.Tick tick) {
    long deadline = System.nanoTime() + commandTimeout.toNanos();
    List<ProcessHandle> writers = leftoverWriters(ctx.stateDir());
    while (!writers.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new D1CommandException(ctx.binding(), "wrangler (pids "
            + String.join(", ", writers.stream().map(p -> Long.toString(p.pid())).toList())
            + "), left by an earlier attempt, still writes " + ctx.stateDir() + " after "
            + commandTimeout.toSeconds() + " s; if it hangs, stop those pids");
      }
      tick.tick();
      ProcessGroup.awaitExit(writers, Duration.ofSeconds(1));
      writers = leftoverWriters(ctx.stateDir());
    }
  }

  /** wrangler processes not started by this JVM that write the local D1 state in {@code stateDir}. */
  static List<ProcessHandle> leftoverWriters(Path stateDir) {
    Set<Long> ours = new HashSet<>();
    ProcessHandle.current().descendants().forEach(p -> ours.add(p.pid()));
    return ProcessHandle.allProcesses()
        .filter(p -> !ours.contains(p.pid()) && p.pid() != ProcessHandle.current().pid())
        .filter(p -> writesState(ProcessGroup.arguments(p), stateDir))
        .toList();
  }

  /** True for the argv of a {@code wrangler d1 migrations apply} or {@code d1 execute --file} on stateDir. */
  static boolean writesState(List<String> argv, Path stateDir) {
    int d1 = argv.indexOf("d1");
    int persist = argv.indexOf("--persist-to");
    if (d1 < 0 || d1 + 1 >= argv.size() || persist < 0 || persist + 1 >= argv.size()) {
      return false;
    }
    if (!Path.of(argv.get(persist + 1)).toAbsolutePath().normalize().equals(stateDir)) {
      return false;
    }
    String command = argv.get(d1 + 1);
    return (command.equals("migrations") && d1 + 2 < argv.size() && argv.get(d1 + 2).equals("apply"))
        || (command.equals("execute") && argv.contains("--file"));
  }

  // ---- helpers -----------------------------------------------------------------------------------

  /** What {@link #applyMigrations} looked at before writing. */
  private record Looked(boolean ledgerExists, List<String> ledger, Set<String> recorded) {
    /** Every planned file applied and recorded: nothing to write. */
    boolean done(List<MigrationFile> planned) {
      return ledgerExists && planned.stream().allMatch(f -> ledger.contains(f.name()))
          && checksums(planned, ledger).keySet().stream().allMatch(recorded::contains);
    }
  }

  /** wrangler's {@code initMigrationsTable}, character for character (its text lands in sqlite_master). */
  static String createLedgerStatement(String table) {
    return "CREATE TABLE IF NOT EXISTS " + table + "(\n\t\tid         INTEGER PRIMARY KEY AUTOINCREMENT,\n"
        + "\t\tname       TEXT UNIQUE,\n\t\tapplied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL\n);";
  }

  /** What wrangler appends to each migration file before splitting it (apply.ts), character for character. */
  static String ledgerRow(String table, String name) {
    return "\n\t\t\t\t\t\t\t\tINSERT INTO " + table + " (name)\n\t\t\t\t\t\t\t\tvalues ('" + name + "');\n\t\t\t\t\t\t";
  }

  /** name → planned sha256 of every ledger entry that has a file in the plan with a known checksum. */
  private static Map<String, String> checksums(List<MigrationFile> planned, List<String> ledger) {
    Map<String, String> checksums = new LinkedHashMap<>();
    for (MigrationFile file : planned) {
      if (file.sha256() != null && ledger.contains(file.name())) {
        checksums.put(file.name(), file.sha256());
      }
    }
    return checksums;
  }

  private static List<String> ledger(Connection connection, String table) throws SQLException {
    if (!D1Connections.tableExists(connection, table)) {
      return List.of();
    }
    return D1Connections.rows(connection, "SELECT name FROM " + SqlStatements.quoteIdentifier(table) + " ORDER BY id")
        .stream().map(row -> row.get("name")).toList();
  }

  /** The file's text as wrangler reads it (UTF-8), after checking it is the file the plan pinned. */
  private static String migrationText(LocalDatabaseContext ctx, MigrationFile file) {
    if (ctx.migrationsDir() == null) {
      throw new IllegalStateException("no migrations directory given for " + ctx.binding());
    }
    Path path = ctx.migrationsDir().resolve(file.name());
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new D1CommandException(ctx.binding(), "cannot read the migration " + path + ": " + e.getMessage());
    }
    if (file.sha256() != null && !file.sha256().equalsIgnoreCase(Checksums.sha256(bytes))) {
      throw new D1CommandException(ctx.binding(), "the migration " + path + " differs from the pinned file (sha256 "
          + Checksums.abbreviate(file.sha256()) + " pinned, " + Checksums.abbreviate(Checksums.sha256(bytes))
          + " now); refusing to apply it");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Runs {@code body} in an IMMEDIATE transaction (the write lock first): committed, or rolled back. */
  private static void inTransaction(Connection connection, SqlBody body) throws SQLException {
    D1Connections.execute(connection, "BEGIN IMMEDIATE");
    try {
      body.run();
      D1Connections.execute(connection, "COMMIT");
    } catch (SQLException | RuntimeException e) {
      rollback(connection, e);
      throw e;
    }
  }

  /** Rolls back the open transaction, if SQLite has not already done so (it does after some errors). */
  private static void rollback(Connection connection, Exception cause) {
    try {
      D1Connections.execute(connection, "ROLLBACK");
    } catch (SQLException e) {
      if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
        cause.addSuppressed(e);
      }
    }
  }

  /** Errors of the database or the machine (a lock, I/O, a full disk), not of a migration's SQL. */
  private static boolean environmental(SQLException e) {
    if (!(e instanceof SQLiteException sqlite)) {
      return false;
    }
    int primary = sqlite.getResultCode().code & 0xff;
    return Set.of(5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 26).contains(primary);
  }

  @FunctionalInterface
  private interface SqlBody {
    void run() throws SQLException;
  }

  /** A failed SQLite call as D1 reports it: {@code no such table: x: SQLITE_ERROR (extended: …)}. */
  static String d1Message(SQLException e) {
    Matcher m = JDBC_MESSAGE.matcher(e.getMessage() == null ? "" : e.getMessage());
    String message = m.matches() ? m.group(2) : String.valueOf(e.getMessage());
    if (!(e instanceof SQLiteException sqlite)) {
      return message;
    }
    SQLiteErrorCode code = sqlite.getResultCode();
    SQLiteErrorCode primary = SQLiteErrorCode.getErrorCode(code.code & 0xff);
    String name = primary == SQLiteErrorCode.UNKNOWN_ERROR ? code.name() : primary.name();
    return message + ": " + name + (code != primary && primary != SQLiteErrorCode.UNKNOWN_ERROR
        ? " (extended: " + code.name() + ")" : "");
  }

  private <T> Optional<T> read(LocalDatabaseContext ctx, String what, D1Connections.Work<T> work) {
    try {
      return D1Connections.read(ctx.file(), busyTimeout, work);
    } catch (SQLException e) {
      throw new D1CommandException(ctx.binding(), "could not " + what + " " + ctx.file() + ": " + d1Message(e));
    }
  }

  private <T> T write(LocalDatabaseContext ctx, ProcessRunner.Tick tick, String what, boolean migrationLimits,
      D1Connections.Work<T> work) {
    return Ticking.call(tick, what.replace(' ', '-'), () -> {
      try {
        return D1Connections.write(ctx.file(), busyTimeout, migrationLimits, work);
      } catch (SQLException e) {
        throw new D1CommandException(ctx.binding(), "could not " + what + " on " + ctx.file() + ": " + d1Message(e));
      }
    });
  }

  /** Refuses a copy SQLite does not read back whole ({@code PRAGMA quick_check}). */
  private static void requireIntact(Connection connection, Path file) throws SQLException {
    List<Map<String, String>> rows = D1Connections.rows(connection, "PRAGMA quick_check");
    String first = rows.isEmpty() ? "no answer" : rows.get(0).values().iterator().next();
    if (!"ok".equals(first)) {
      throw new SQLException(file + " is damaged: " + first);
    }
  }

  private static List<String> without(List<String> after, List<String> before) {
    Set<String> old = new HashSet<>(before);
    return after.stream().filter(name -> !old.contains(name)).toList();
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // a leftover temporary file is harmless: its name never looks like a restore point
    }
  }
}
