package dev.flaredeploy.activities.local;

import dev.flaredeploy.activities.testing.PinnedWrangler;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.Wrangler;
import dev.flaredeploy.testkit.ExampleProjects;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.MigrationFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local D1 operations against the real, pinned wrangler (about 1.5–2.5 s per wrangler call). */
class LocalDatabasesTest {
  private static final String SERVICE = "hello-d1";
  private static final String DEFAULT = LocalDatabaseContext.DEFAULT_ENVIRONMENT;
  private static final ProcessRunner.Tick NO_TICK = ProcessRunner.Tick.NONE;

  @TempDir Path home;

  private LocalWorkspace workspace;
  private Wrangler wrangler;
  private LocalDatabases databases;

  @BeforeEach
  void setUp() {
    workspace = new LocalWorkspace(home);
    wrangler = PinnedWrangler.in(workspace.logs());
    databases = new LocalDatabases(wrangler);
  }

  @Test
  void appliesPendingMigrationsAndRecordsThemInTheLedger() {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of()));

    ApplyResult result = databases.applyMigrations(db, NO_TICK);

    List<String> both = List.of("0001_create_notes.sql", "0002_add_author.sql");
    assertThat(result.applied()).containsExactlyElementsOf(both);
    assertThat(result.ledger()).containsExactlyElementsOf(both);
    assertThat(sql(db, "INSERT INTO notes (body, author) VALUES ('hi', 'ann') RETURNING author"))
        .extracting(row -> row.path("author").asText())
        .containsExactly("ann");
  }

  @Test
  void secondApplyAppliesNothing() {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of()));
    ApplyResult first = databases.applyMigrations(db, NO_TICK);

    ApplyResult second = databases.applyMigrations(db, NO_TICK);

    assertThat(second.applied()).isEmpty();
    assertThat(second.ledger()).isEqualTo(first.ledger()).hasSize(2);
  }

  @Test
  void failingMigrationAfterAGoodOneKeepsTheGoodOneAndReportsFileAndSqliteError() {
    LocalDatabaseContext db =
        helloD1(
            snapshot(
                "v1",
                Map.of(
                    "migrations/0003_half_bad.sql",
                    "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);\n"
                        + "INSERT INTO nonexistent_table VALUES (1);\n",
                    "migrations/0004_after.sql",
                    "CREATE TABLE later (id INTEGER PRIMARY KEY);\n")));

    assertThatThrownBy(() -> databases.applyMigrations(db, NO_TICK))
        .isInstanceOfSatisfying(
            MigrationFailedException.class,
            failure -> {
              assertThat(failure.binding()).isEqualTo("DB");
              assertThat(failure.failedFile()).isEqualTo("0003_half_bad.sql");
              assertThat(failure.error()).isEqualTo("no such table: nonexistent_table: SQLITE_ERROR");
              assertThat(failure.applied())
                  .containsExactly("0001_create_notes.sql", "0002_add_author.sql");
              assertThat(failure.appliedByThisCall()).isEqualTo(failure.applied());
              assertThat(failure.getMessage())
                  .isEqualTo(
                      "migration 0003_half_bad.sql failed on DB: no such table: nonexistent_table:"
                          + " SQLITE_ERROR; applied before it: 0001_create_notes.sql,"
                          + " 0002_add_author.sql");
            });
    // the good statement of the failed file was rolled back with it; the file after it was not tried
    assertThat(userTables(db)).containsExactlyInAnyOrder("d1_migrations", "notes");
  }

  @Test
  void restoreBringsTheDatabaseBackExactlyToTheExport() throws IOException {
    LocalDatabaseContext v1 = helloD1(snapshot("v1", Map.of()));
    databases.applyMigrations(v1, NO_TICK);
    sql(v1, TRICKY_ROWS);
    Path checkpoint = databases.export(v1, home.resolve("checkpoints/before.sql"));
    LocalDatabaseContext v2 = helloD1(snapshot("v2", Map.of("migrations/0003_tags.sql", TAGS)));
    assertThat(databases.applyMigrations(v2, NO_TICK).applied()).containsExactly("0003_tags.sql");
    sql(
        v2,
        "UPDATE notes SET body = 'changed' WHERE id = 1; DELETE FROM notes WHERE id = 2;"
            + " INSERT INTO notes (body, tags) VALUES ('new', 'x'); INSERT INTO note_tags VALUES (1, 'x')");

    // notes is dropped while note_tags still references it: D1 enforces foreign keys, the restore defers them
    databases.restore(v2, checkpoint);

    Path after = databases.export(v2, home.resolve("checkpoints/after.sql"));
    assertThat(Files.readString(after)).isEqualTo(Files.readString(checkpoint));
    assertThat(Files.readString(checkpoint)).contains("INSERT INTO \"notes\"", "X'00ff'");
  }

  @Test
  void restoreIsIdempotent() throws IOException {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of()));
    sql(db, SEED_WITHOUT_LEDGER + TRICKY_ROWS);
    Path checkpoint = databases.export(db, home.resolve("checkpoints/before.sql"));
    sql(db, "DROP INDEX notes_by_author; INSERT INTO notes (body) VALUES ('later')");

    databases.restore(db, checkpoint);
    databases.restore(db, checkpoint);

    Path after = databases.export(db, home.resolve("checkpoints/after.sql"));
    assertThat(Files.readString(after)).isEqualTo(Files.readString(checkpoint));
  }

  @Test
  void restoreOfOneBindingLeavesTheOtherUntouched() throws IOException {
    Path snapshot = snapshot("v1", Map.of("audit-migrations/0001_create_events.sql", EVENTS));
    Files.writeString(snapshot.resolve("wrangler.toml"), TWO_BINDINGS);
    String env = "staging";
    Path workdir = workspace.workdir(SERVICE, env, "v1", snapshot);
    LocalDatabaseContext db =
        context(workdir, env, plan(workdir, "DB", "hello-d1-db-staging", "migrations", null));
    LocalDatabaseContext audit =
        context(workdir, env, plan(workdir, "AUDIT", "hello-audit-staging", "audit-migrations", "audit_ledger"));
    databases.applyMigrations(db, NO_TICK);
    assertThat(databases.applyMigrations(audit, NO_TICK).ledger())
        .containsExactly("0001_create_events.sql");
    Path checkpoint = databases.export(db, home.resolve("checkpoints/db.sql"));
    sql(db, "INSERT INTO notes (body) VALUES ('to be undone')");
    sql(audit, "INSERT INTO events (what) VALUES ('kept')");

    databases.restore(db, checkpoint);

    assertThat(sql(audit, "SELECT what FROM events"))
        .extracting(row -> row.path("what").asText())
        .containsExactly("kept");
    Path after = databases.export(db, home.resolve("checkpoints/db-after.sql"));
    assertThat(Files.readString(after)).isEqualTo(Files.readString(checkpoint));
  }

  @Test
  void emptyDatabaseHasNoAppliedMigrations() {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of()));

    assertThat(databases.appliedMigrations(db)).isEmpty();
  }

  @Test
  void exportOfANewDatabaseWorksAndRestoresToEmpty() throws IOException {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of()));

    Path empty = databases.export(db, home.resolve("checkpoints/empty.sql"));

    assertThat(Files.readString(empty)).isEqualTo("PRAGMA defer_foreign_keys=TRUE;");
    databases.applyMigrations(db, NO_TICK);
    databases.restore(db, empty);
    assertThat(databases.appliedMigrations(db)).isEmpty();
    // SQLite keeps sqlite_sequence once created (it cannot be dropped), so the export now also resets it
    Path after = databases.export(db, home.resolve("checkpoints/after.sql"));
    assertThat(Files.readAllLines(after))
        .containsExactly("PRAGMA defer_foreign_keys=TRUE;", "DELETE FROM sqlite_sequence;");
  }

  @Test
  void applyWaitsForAnApplyThatADeadWorkerLeftRunningAndAppliesEachMigrationOnce() throws Exception {
    LocalDatabaseContext db =
        helloD1(
            snapshot(
                "v1",
                Map.of(
                    "migrations/0003_events.sql", EVENTS + "INSERT INTO events (what) VALUES ('0003');\n",
                    "migrations/0004_slow.sql",
                    "INSERT INTO events (what) VALUES ('0004');\n"
                        + "CREATE TABLE slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
                        + " LIMIT 10000000) SELECT count(*) AS n FROM c;\n",
                    "migrations/0005_after.sql", "INSERT INTO events (what) VALUES ('0005');\n")));
    // what a killed worker leaves behind: its wrangler, still applying, no longer anyone's child
    ProcessHandle leftover = startOrphan(db.d1Local("migrations", "apply"), db.workdir());
    try {
      assertThat(LocalDatabases.leftoverWriters(db.stateDir())).contains(leftover);
      int[] ticks = {0};

      ApplyResult result = databases.applyMigrations(db, () -> ticks[0]++);

      assertThat(ticks[0]).as("waited for the leftover, heartbeating").isPositive();
      assertThat(LocalDatabases.leftoverWriters(db.stateDir())).as("the leftover had ended").isEmpty();
      assertThat(result.ledger()).containsExactly("0001_create_notes.sql", "0002_add_author.sql",
          "0003_events.sql", "0004_slow.sql", "0005_after.sql");
      assertThat(sql(db, "SELECT what, count(*) AS n FROM events GROUP BY what ORDER BY what"))
          .extracting(row -> row.path("what").asText() + "×" + row.path("n").asInt())
          .containsExactly("0003×1", "0004×1", "0005×1");
    } finally {
      ProcessRunner.destroyTree(leftover);
    }
  }

  /** Starts {@code wrangler <args>} as an orphan (its shell exits at once), as a killed worker leaves it. */
  private ProcessHandle startOrphan(List<String> args, Path workdir) throws Exception {
    List<String> argv = new ArrayList<>(List.of("sh", "-c", "\"$@\" </dev/null >/dev/null 2>&1 & echo $!", "sh"));
    argv.addAll(wrangler.command());
    argv.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(argv).directory(workdir.toFile());
    builder.environment().putAll(wrangler.environment());
    Process shell = builder.start();
    String pid = new String(shell.getInputStream().readAllBytes()).strip();
    assertThat(shell.waitFor()).isZero();
    ProcessHandle orphan = ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
    assertThat(ProcessHandle.current().descendants()).doesNotContain(orphan);
    return orphan;
  }

  @Test
  void recognisesTheWranglerCommandsThatWriteAState() {
    Path state = Path.of("/h/local/s/default/state");
    assertThat(LocalDatabases.writesState(List.of("node", "/r/node_modules/.bin/wrangler", "d1", "migrations",
        "apply", "DB", "-c", "/w/wrangler.toml", "--local", "--persist-to", state.toString()), state)).isTrue();
    assertThat(LocalDatabases.writesState(List.of("node", "cli.js", "d1", "execute", "DB", "--local",
        "--persist-to", state.toString(), "--file", "/tmp/restore.sql", "--yes"), state)).isTrue();
    assertThat(LocalDatabases.writesState(List.of("node", "cli.js", "d1", "execute", "DB", "--local",
        "--persist-to", state.toString(), "--json", "--command", "SELECT 1"), state))
        .as("a read").isFalse();
    assertThat(LocalDatabases.writesState(List.of("node", "cli.js", "d1", "migrations", "apply", "DB",
        "--local", "--persist-to", "/h/local/s/staging/state"), state)).as("another state").isFalse();
    assertThat(LocalDatabases.writesState(List.of("node", "cli.js", "dev", "--persist-to", state.toString()),
        state)).as("wrangler dev").isFalse();
  }

  // ---- fixtures ----------------------------------------------------------------------------------

  /** Values a dump must carry through unchanged: quotes, newlines, non-ASCII, NULL, blobs. */
  private static final String TRICKY_ROWS =
      "INSERT INTO notes (body, author) VALUES ('it''s', 'ann'), ('two' || char(10) || 'lines', NULL),"
          + " ('héllo ✓', X'00ff')";

  /** hello-d1's schema made in one call (no ledger): quicker than migrating where only restore matters. */
  private static final String SEED_WITHOUT_LEDGER =
      "CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL,"
          + " created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, author TEXT);"
          + " CREATE INDEX notes_by_author ON notes (author); ";

  private static final String TAGS =
      """
      ALTER TABLE notes ADD COLUMN tags TEXT;
      CREATE TABLE tags (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);
      CREATE TABLE note_tags (note_id INTEGER NOT NULL REFERENCES notes (id), tag TEXT NOT NULL);
      CREATE VIEW tagged AS SELECT id, body FROM notes WHERE tags IS NOT NULL;
      CREATE TRIGGER tag_new AFTER INSERT ON notes WHEN NEW.tags IS NOT NULL
      BEGIN INSERT INTO tags (name) VALUES (NEW.tags); END;
      """;

  private static final String EVENTS =
      "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT NOT NULL);\n";

  private static final String TWO_BINDINGS =
      """
      name = "hello-d1"
      main = "src/index.js"
      compatibility_date = "2025-06-01"

      [env.staging]
      name = "hello-d1-staging"

      [[env.staging.d1_databases]]
      binding = "DB"
      database_name = "hello-d1-db-staging"
      database_id = "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c02"

      [[env.staging.d1_databases]]
      binding = "AUDIT"
      database_name = "hello-audit-staging"
      database_id = "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c03"
      migrations_dir = "audit-migrations"
      migrations_table = "audit_ledger"
      """;

  /** A pinned copy of examples/hello-d1 under the home's snapshots, plus extra files (path → content). */
  private Path snapshot(String id, Map<String, String> extraFiles) {
    Path snapshot = ExampleProjects.copy("hello-d1", workspace.snapshots().resolve(id));
    try {
      for (Map.Entry<String, String> file : extraFiles.entrySet()) {
        Path path = snapshot.resolve(file.getKey());
        Files.createDirectories(path.getParent());
        Files.writeString(path, file.getValue());
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return snapshot;
  }

  /** The DB binding of hello-d1's top-level config, in the working copy of {@code snapshot}. */
  private LocalDatabaseContext helloD1(Path snapshot) {
    String sourceId = snapshot.getFileName().toString();
    Path workdir = workspace.workdir(SERVICE, DEFAULT, sourceId, snapshot);
    return context(workdir, DEFAULT, plan(workdir, "DB", "hello-d1-db", "migrations", null));
  }

  private LocalDatabaseContext context(Path workdir, String env, DatabasePlan plan) {
    return new LocalDatabaseContext(
        workdir, "wrangler.toml", env, workspace.stateDir(SERVICE, env), plan);
  }

  /** The plan as prepare would make it: the migration files by numeric prefix, as wrangler orders them. */
  private static DatabasePlan plan(
      Path workdir, String binding, String name, String migrationsDir, String table) {
    List<MigrationFile> files = new ArrayList<>();
    try (Stream<Path> sql = Files.list(workdir.resolve(migrationsDir))) {
      sql.map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith(".sql"))
          .sorted(Comparator.comparingInt(f -> Integer.parseInt(f.split("_")[0])))
          .forEach(f -> files.add(new MigrationFile(f, null)));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new DatabasePlan(binding, name, null, migrationsDir, table, files);
  }

  /** Runs SQL on the binding through wrangler; the rows of the last statement. */
  private List<JsonNode> sql(LocalDatabaseContext ctx, String sql) {
    List<String> args = ctx.d1Local("execute");
    args.addAll(List.of("--json", "--command", sql));
    ProcessResult result = wrangler.run(args, ctx.workdir(), Duration.ofMinutes(2), NO_TICK);
    assertThat(result.succeeded()).as("wrangler d1 execute: %s", result.diagnostics()).isTrue();
    List<List<JsonNode>> statements = D1Output.results(result.stdout()).orElseThrow();
    return statements.get(statements.size() - 1);
  }

  private List<String> userTables(LocalDatabaseContext ctx) {
    return sql(
            ctx,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                + " AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'")
        .stream()
        .map(row -> row.path("name").asText())
        .toList();
  }
}
