package dev.flaredeploy.activities.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flaredeploy.activities.DatabaseState;
import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.Wrangler;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.activities.testing.PinnedWrangler;
import dev.flaredeploy.testkit.ExampleProjects;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.MigrationFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local D1 databases read and written directly in the SQLite files of wrangler's local mode. Most tests run
 * in milliseconds; the ones that compare with what the real, pinned wrangler does (the file it picks, the
 * ledger it creates, the exports of earlier versions, a writer left by a killed worker) take 2–5 s.
 */
class LocalDatabasesTest {
  private static final String SERVICE = "hello-d1";
  private static final String DEFAULT = LocalReleases.DEFAULT_ENVIRONMENT;
  private static final ProcessRunner.Tick NO_TICK = ProcessRunner.Tick.NONE;
  private static final String M1 = "0001_create_notes.sql";
  private static final String M2 = "0002_add_author.sql";

  @TempDir Path home;

  private LocalWorkspace workspace;
  private Wrangler wrangler;
  private LocalDatabases databases;

  @BeforeEach
  void setUp() {
    workspace = new LocalWorkspace(home);
    wrangler = PinnedWrangler.in(workspace.logs());
    databases = new LocalDatabases();
  }

  // ---- where the file is, and that wrangler's own apply leaves the same database -----------------

  @Test
  void readsAndWritesTheFileWranglerItselfUsesForEachKindOfLocalId() throws IOException {
    Path project = snapshot("ids", Map.of("migrations/0001_one.sql", "CREATE TABLE one (x);\n"));
    Files.delete(project.resolve("flaredeploy.toml"));
    Files.writeString(project.resolve("wrangler.toml"), """
        name = "ids"
        main = "src/index.js"
        compatibility_date = "2025-06-01"

        [[d1_databases]]
        binding = "BY_ID"
        database_name = "by-id"
        database_id = "11111111-2222-4333-8444-555555555555"

        [[d1_databases]]
        binding = "BY_PREVIEW"
        database_name = "by-preview"
        database_id = "66666666-2222-4333-8444-555555555555"
        preview_database_id = "77777777-2222-4333-8444-555555555555"

        [[d1_databases]]
        binding = "BY_BINDING"
        database_name = "by-binding"
        """);
    Path state = workspace.stateDir("ids", DEFAULT);
    Map<String, String> localIds = Map.of("BY_ID", "11111111-2222-4333-8444-555555555555",
        "BY_PREVIEW", "77777777-2222-4333-8444-555555555555", "BY_BINDING", "BY_BINDING");
    for (Map.Entry<String, String> binding : localIds.entrySet()) {
      wranglerD1(project, state, "execute", binding.getKey(), "--command",
          "CREATE TABLE written_by_wrangler (binding TEXT); INSERT INTO written_by_wrangler VALUES ('"
              + binding.getKey() + "')");
    }

    for (Map.Entry<String, String> binding : localIds.entrySet()) {
      LocalDatabaseContext ctx = new LocalDatabaseContext(state,
          new DatabasePlan(binding.getKey(), null, null, "migrations", null, List.of(), binding.getValue()), null);
      assertThat(ctx.file()).as(binding.getKey()).exists();
      assertThat(databases.query(ctx, "written_by_wrangler", "SELECT binding FROM written_by_wrangler", NO_TICK))
          .hasValue(List.of(Map.of("binding", binding.getKey())));
    }
    assertThat(new dev.flaredeploy.activities.config.ProjectConfigLoader().load(project, DEFAULT).databases())
        .extracting(DatabasePlan::binding, DatabasePlan::localDatabaseId)
        .containsExactlyInAnyOrder(localIds.entrySet().stream()
            .map(e -> org.assertj.core.groups.Tuple.tuple(e.getKey(), e.getValue())).toArray(
                org.assertj.core.groups.Tuple[]::new));
  }

  @Test
  void leavesTheSameLedgerAndSchemaAsWranglersOwnApply() throws IOException {
    Path project = snapshot("v1", Map.of());
    LocalDatabaseContext direct = helloD1(project, DEFAULT);
    Path wranglerState = workspace.stateDir(SERVICE, "by-wrangler");
    wranglerD1(project, wranglerState, "migrations", "apply", "DB");

    databases.applyMigrations(direct, NO_TICK);

    DatabaseState byWrangler = databases.inspect(new LocalDatabaseContext(wranglerState, direct.database(), null),
        NO_TICK);
    DatabaseState ours = databases.inspect(direct, NO_TICK);
    assertThat(ours.applied()).isEqualTo(byWrangler.applied()).containsExactly(M1, M2);
    assertThat(ours.schema().stream().filter(o -> !o.name().equals(Checksums.TABLE)).toList())
        .as("the ledger table and the migrations' objects, character for character")
        .isEqualTo(byWrangler.schema());
    assertThat(byWrangler.checksums()).isEmpty();
    assertThat(ours.checksums()).containsOnlyKeys(M1, M2);
  }

  // ---- apply -------------------------------------------------------------------------------------

  @Test
  void appliesPendingMigrationsEachWithItsLedgerRowAndChecksum() throws Exception {
    Path project = snapshot("v1", Map.of());
    LocalDatabaseContext db = helloD1(project, DEFAULT);
    assertThat(db.file()).doesNotExist();

    ApplyResult result = databases.applyMigrations(db, NO_TICK);

    assertThat(result.applied()).containsExactly(M1, M2);
    assertThat(result.ledger()).containsExactly(M1, M2);
    DatabaseState state = databases.inspect(db, NO_TICK);
    assertThat(state.checksums()).containsOnlyKeys(M1, M2);
    assertThat(state.checksums().get(M1).sha256())
        .isEqualTo(Checksums.sha256(Files.readAllBytes(project.resolve("migrations/" + M1))));
    databases.executeBatch(db, "INSERT INTO notes (body, author) VALUES ('hi', 'ann')", NO_TICK);
    assertThat(rows(db, "SELECT body, author FROM notes")).containsExactly(Map.of("body", "hi", "author", "ann"));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.file()); Statement s = c.createStatement()) {
      assertThat(s.executeQuery("PRAGMA journal_mode").getString(1)).as("as workerd keeps it").isEqualTo("wal");
    }
  }

  @Test
  void secondApplyAppliesAndWritesNothing() throws IOException {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of()), DEFAULT);
    ApplyResult first = databases.applyMigrations(db, NO_TICK);
    byte[] before = Files.readAllBytes(db.file());

    ApplyResult second = databases.applyMigrations(db, NO_TICK);

    assertThat(second.applied()).isEmpty();
    assertThat(second.ledger()).isEqualTo(first.ledger()).hasSize(2);
    assertThat(Files.readAllBytes(db.file())).isEqualTo(before);
    assertThat(D1Connections.sibling(db.file(), "-wal")).doesNotExist();
  }

  @Test
  void failingMigrationAfterAGoodOneKeepsTheGoodOneAndReportsFileAndSqliteErrorAsD1Does() throws IOException {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of(
        "migrations/0003_half_bad.sql",
        "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO nonexistent_table VALUES (1);\n",
        "migrations/0004_after.sql", "CREATE TABLE later (id INTEGER PRIMARY KEY);\n")), DEFAULT);

    assertThatThrownBy(() -> databases.applyMigrations(db, NO_TICK))
        .isInstanceOfSatisfying(MigrationFailedException.class, failure -> {
          assertThat(failure.binding()).isEqualTo("DB");
          assertThat(failure.failedFile()).isEqualTo("0003_half_bad.sql");
          assertThat(failure.error()).isEqualTo("no such table: nonexistent_table: SQLITE_ERROR");
          assertThat(failure.applied()).containsExactly(M1, M2);
          assertThat(failure.appliedByThisCall()).isEqualTo(failure.applied());
          assertThat(failure.getMessage()).isEqualTo("migration 0003_half_bad.sql failed on DB: no such table:"
              + " nonexistent_table: SQLITE_ERROR; applied before it: " + M1 + ", " + M2);
        });
    // the good statement of the failed file was rolled back with it, and so was no checksum written for it
    assertThat(userTables(db)).containsExactlyInAnyOrder("d1_migrations", "notes", Checksums.TABLE);
    assertThat(databases.inspect(db, NO_TICK).checksums()).containsOnlyKeys(M1, M2);
  }

  @Test
  void cutsStatementsAsWranglerDoesSoATriggerItBreaksFailsHereToo() throws IOException {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of("migrations/0003_audit.sql", """
        CREATE TABLE audit (id INTEGER PRIMARY KEY, note_id INTEGER, kind TEXT);
        CREATE TRIGGER notes_audit AFTER INSERT ON notes BEGIN
          INSERT INTO audit (note_id, kind) VALUES (NEW.id, (CASE WHEN NEW.author IS NULL THEN 'anon' ELSE 'named' END ));
        END;
        """)), DEFAULT);

    assertThatThrownBy(() -> databases.applyMigrations(db, NO_TICK))
        .isInstanceOfSatisfying(MigrationFailedException.class, failure -> {
          assertThat(failure.failedFile()).isEqualTo("0003_audit.sql");
          assertThat(failure.error()).isEqualTo("incomplete input: SQLITE_ERROR");
        });
  }

  @Test
  void enforcesForeignKeysAsD1DoesAndHonoursDeferredOnes() throws IOException {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of(
        "migrations/0003_tags.sql", """
            PRAGMA defer_foreign_keys = true;
            CREATE TABLE note_tags (note_id INTEGER NOT NULL REFERENCES notes (id), tag TEXT NOT NULL);
            INSERT INTO note_tags VALUES (1, 'deferred, then satisfied');
            INSERT INTO notes (id, body) VALUES (1, 'first');
            """,
        "migrations/0004_dangling.sql", "INSERT INTO note_tags VALUES (99, 'dangling');\n")), DEFAULT);

    assertThatThrownBy(() -> databases.applyMigrations(db, NO_TICK))
        .isInstanceOfSatisfying(MigrationFailedException.class, failure -> {
          assertThat(failure.failedFile()).isEqualTo("0004_dangling.sql");
          assertThat(failure.error())
              .isEqualTo("FOREIGN KEY constraint failed: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_FOREIGNKEY)");
          assertThat(failure.applied()).endsWith("0003_tags.sql");
        });
  }

  @Test
  void refusesWhatWorkerdLimitsLikeAStatementOverOneHundredThousandBytes() throws IOException {
    String big = "INSERT INTO notes (body) VALUES ('" + "x".repeat(100_001) + "');\n";
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of("migrations/0003_big.sql", big)), DEFAULT);

    assertThatThrownBy(() -> databases.applyMigrations(db, NO_TICK))
        .isInstanceOfSatisfying(MigrationFailedException.class,
            failure -> assertThat(failure.error()).contains("SQLITE_TOOBIG"));
  }

  @Test
  void refusesWhatD1sAuthorizerRefusesAsLocalD1Does() throws IOException {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of("migrations/0003_speed.sql",
        "CREATE TABLE fast (x);\nPRAGMA synchronous = OFF;\n")), DEFAULT);

    assertThatThrownBy(() -> databases.applyMigrations(db, NO_TICK))
        .isInstanceOfSatisfying(MigrationFailedException.class, failure -> {
          assertThat(failure.failedFile()).isEqualTo("0003_speed.sql");
          assertThat(failure.error()).isEqualTo("not authorized: SQLITE_AUTH");
        });
    assertThat(userTables(db)).doesNotContain("fast");
  }

  @Test
  void adoptsChecksumsOfMigrationsAppliedWithoutThemWhenNothingIsPending() throws IOException {
    Path project = snapshot("v1", Map.of());
    LocalDatabaseContext db = helloD1(project, DEFAULT);
    wranglerD1(project, db.stateDir(), "migrations", "apply", "DB");
    assertThat(databases.inspect(db, NO_TICK).checksums()).isEmpty();

    ApplyResult result = databases.applyMigrations(db, NO_TICK);

    assertThat(result.applied()).isEmpty();
    assertThat(databases.inspect(db, NO_TICK).checksums()).containsOnlyKeys(M1, M2);
  }

  @Test
  void refusesAMigrationFileThatDiffersFromThePlan() throws IOException {
    Path project = snapshot("v1", Map.of());
    LocalDatabaseContext db = helloD1(project, DEFAULT);
    Files.writeString(project.resolve("migrations/" + M2), "DROP TABLE notes;\n");

    assertThatThrownBy(() -> databases.applyMigrations(db, NO_TICK))
        .isInstanceOf(D1CommandException.class)
        .hasMessageContaining(M2).hasMessageContaining("differs from the pinned file");
    assertThat(databases.appliedMigrations(db)).containsExactly(M1);
  }

  // ---- reads -------------------------------------------------------------------------------------

  @Test
  void readsOfADatabaseNeverCreatedCreateNothing() throws IOException {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of()), DEFAULT);

    assertThat(databases.inspect(db, NO_TICK)).isEqualTo(DatabaseState.ABSENT);
    assertThat(databases.appliedMigrations(db)).isEmpty();
    assertThat(databases.query(db, "notes", "SELECT * FROM notes", NO_TICK)).isEmpty();
    assertThat(databases.probe(db, "SELECT 1 AS one", NO_TICK)).isEmpty();
    assertThat(databases.export(db, NO_TICK)).isEqualTo(LocalDatabases.EXPORT_HEADER);

    assertThat(workspace.environmentDir(SERVICE, DEFAULT)).doesNotExist();
  }

  @Test
  void readsOfADatabaseNobodyHasOpenLeaveItsFilesAsTheyWere() throws IOException {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of()), DEFAULT);
    databases.applyMigrations(db, NO_TICK);
    Map<String, String> before = tree(db.stateDir());

    DatabaseState state = databases.inspect(db, NO_TICK);
    databases.probe(db, "SELECT count(*) AS n FROM notes", NO_TICK);
    databases.query(db, Checksums.TABLE, Checksums.SELECT, NO_TICK);

    assertThat(state.applied()).containsExactly(M1, M2);
    assertThat(state.schema()).extracting(DatabaseState.SchemaObject::name)
        .containsExactly("d1_migrations", "notes", Checksums.TABLE, "notes_by_author");
    assertThat(tree(db.stateDir())).as("every file, byte for byte, and no new one").isEqualTo(before);
  }

  @Test
  void probesCannotWrite() throws IOException {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of()), DEFAULT);
    databases.applyMigrations(db, NO_TICK);
    databases.executeBatch(db, "INSERT INTO notes (body, author) VALUES ('a', 'x'), ('b', 'x')", NO_TICK);

    assertThat(databases.probe(db, "SELECT author, count(*) AS n FROM notes GROUP BY author HAVING n > 1 LIMIT 5",
        NO_TICK)).containsExactly(Map.of("author", "x", "n", "2"));
    assertThatThrownBy(() -> databases.probe(db, "DELETE FROM notes RETURNING id", NO_TICK))
        .isInstanceOf(D1CommandException.class).hasMessageContaining("readonly");
    assertThat(rows(db, "SELECT count(*) AS n FROM notes")).containsExactly(Map.of("n", "2"));
  }

  // ---- restore points ----------------------------------------------------------------------------

  @Test
  void restoreBringsTheDatabaseBackExactlyToTheRestorePoint() throws IOException {
    Path v1 = snapshot("v1", Map.of());
    LocalDatabaseContext db = helloD1(v1, DEFAULT);
    databases.applyMigrations(db, NO_TICK);
    databases.executeBatch(db, TRICKY_ROWS, NO_TICK);
    String before = databases.export(db, NO_TICK);
    Path point = databases.checkpoint(db, workspace.checkpointsDir(SERVICE, DEFAULT).resolve("run/DB.sqlite"),
        NO_TICK);
    LocalDatabaseContext v2 = helloD1(snapshot("v2", Map.of("migrations/0003_tags.sql", TAGS)), DEFAULT);
    assertThat(databases.applyMigrations(v2, NO_TICK).applied()).containsExactly("0003_tags.sql");
    databases.executeBatch(v2, "UPDATE notes SET body = 'changed' WHERE id = 1; DELETE FROM notes WHERE id = 2;"
        + " INSERT INTO notes (body, tags) VALUES ('new', 'x'); INSERT INTO note_tags VALUES (1, 'x')", NO_TICK);

    String restored = databases.restore(v2, point, NO_TICK);

    assertThat(restored).contains("restored DB from " + point);
    assertThat(databases.export(v2, NO_TICK)).isEqualTo(before).contains("INSERT INTO \"notes\"", "X'00ff'");
    assertThat(point.getParent()).isDirectoryContaining(p -> p.equals(point))
        .isDirectoryNotContaining(p -> p.getFileName().toString().startsWith("."));
  }

  @Test
  void restoreIsIdempotentAndACheckpointRetryKeepsItsFirstCopy() throws IOException {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of()), DEFAULT);
    databases.applyMigrations(db, NO_TICK);
    databases.executeBatch(db, TRICKY_ROWS, NO_TICK);
    String before = databases.export(db, NO_TICK);
    Path target = home.resolve("checkpoints/DB.sqlite");
    Path point = databases.checkpoint(db, target, NO_TICK);
    databases.executeBatch(db, "DROP INDEX notes_by_author; INSERT INTO notes (body) VALUES ('later')", NO_TICK);
    assertThat(databases.checkpoint(db, target, NO_TICK)).isEqualTo(point);

    databases.restore(db, point, NO_TICK);
    databases.restore(db, point, NO_TICK);

    assertThat(databases.export(db, NO_TICK)).isEqualTo(before);
  }

  @Test
  void restoreOfOneBindingLeavesTheOtherUntouched() throws IOException {
    Path snapshot = snapshot("v1", Map.of("audit-migrations/0001_create_events.sql", EVENTS));
    Files.writeString(snapshot.resolve("wrangler.toml"), TWO_BINDINGS);
    LocalDatabaseContext db = context(snapshot, "staging", plan(snapshot, "DB", "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c02",
        "migrations", null));
    LocalDatabaseContext audit = context(snapshot, "staging", plan(snapshot, "AUDIT",
        "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c03", "audit-migrations", "audit_ledger"));
    databases.applyMigrations(db, NO_TICK);
    assertThat(databases.applyMigrations(audit, NO_TICK).ledger()).containsExactly("0001_create_events.sql");
    String before = databases.export(db, NO_TICK);
    Path point = databases.checkpoint(db, home.resolve("checkpoints/db.sqlite"), NO_TICK);
    databases.executeBatch(db, "INSERT INTO notes (body) VALUES ('to be undone')", NO_TICK);
    databases.executeBatch(audit, "INSERT INTO events (what) VALUES ('kept')", NO_TICK);

    databases.restore(db, point, NO_TICK);

    assertThat(rows(audit, "SELECT what FROM events")).containsExactly(Map.of("what", "kept"));
    assertThat(databases.export(db, NO_TICK)).isEqualTo(before);
  }

  @Test
  void checkpointOfADatabaseNeverCreatedCreatesNothingThereAndRestoresToEmpty() throws IOException {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of()), DEFAULT);
    Path point = databases.checkpoint(db, home.resolve("checkpoints/DB.sqlite"), NO_TICK);
    assertThat(db.file()).doesNotExist();
    assertThat(databases.restore(db, point, NO_TICK)).contains("never created");
    assertThat(db.file()).doesNotExist();

    databases.applyMigrations(db, NO_TICK);
    databases.restore(db, point, NO_TICK);

    assertThat(databases.inspect(db, NO_TICK).schema()).isEmpty();
    assertThat(databases.appliedMigrations(db)).isEmpty();
  }

  @Test
  void restoresTheSqlExportsThatEarlierVersionsTookAsRestorePoints() throws IOException {
    Path project = snapshot("v1", Map.of());
    LocalDatabaseContext db = helloD1(project, DEFAULT);
    databases.applyMigrations(db, NO_TICK);
    databases.executeBatch(db, TRICKY_ROWS, NO_TICK);
    String before = databases.export(db, NO_TICK);
    Path export = home.resolve("checkpoints/DB.sql");
    Files.createDirectories(export.getParent());
    Path workdir = workspace.workdir(SERVICE, DEFAULT, "v1", project); // d1 export reads <config dir>/.wrangler
    ProcessResult exported = wrangler.run(List.of("d1", "export", "DB", "-c", workdir.resolve("wrangler.toml").toString(),
        "--local", "--output", export.toString()), workdir, Duration.ofMinutes(2), NO_TICK);
    assertThat(exported.succeeded()).as(exported.diagnostics()).isTrue();
    assertThat(Files.readString(export)).as("the export is wrangler's").isEqualTo(before);
    LocalDatabaseContext v2 = helloD1(snapshot("v2", Map.of("migrations/0003_tags.sql", TAGS)), DEFAULT);
    databases.applyMigrations(v2, NO_TICK);
    databases.executeBatch(v2, "INSERT INTO note_tags VALUES (1, 'x'); DELETE FROM notes WHERE id = 3", NO_TICK);

    databases.restore(v2, export, NO_TICK);

    assertThat(databases.export(v2, NO_TICK)).isEqualTo(before);
  }

  @Test
  void aRestoreThatCannotCompleteLeavesTheDatabaseAsItWasAndSaysWhatToDo() throws Exception {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of()), DEFAULT);
    databases.applyMigrations(db, NO_TICK);
    databases.executeBatch(db, TRICKY_ROWS, NO_TICK);
    Path point = databases.checkpoint(db, home.resolve("checkpoints/DB.sqlite"), NO_TICK);
    databases.executeBatch(db, "INSERT INTO notes (body) VALUES ('after the checkpoint')", NO_TICK);
    String before = databases.export(db, NO_TICK);
    LocalDatabases impatient = new LocalDatabases(Duration.ofSeconds(5), Duration.ofMillis(300));

    // another writer (a release in a long write) holds the database for longer than the busy timeout
    try (Connection holder = DriverManager.getConnection("jdbc:sqlite:" + db.file());
        Statement s = holder.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
      s.executeUpdate("INSERT INTO notes (body) VALUES ('uncommitted')");
      assertThatThrownBy(() -> impatient.restore(db, point, NO_TICK))
          .isInstanceOf(RestoreFailedException.class)
          .hasMessageContaining("could not restore DB from " + point)
          .hasMessageContaining("SQLITE_BUSY")
          .hasMessageContaining("is as it was before this restore")
          .hasMessageContaining("flaredeploy local stop hello-d1")
          .hasMessageContaining("sqlite3 " + db.file());
      s.execute("ROLLBACK");
    }
    assertThat(databases.export(db, NO_TICK)).isEqualTo(before);

    Path damaged = home.resolve("checkpoints/damaged.sqlite");
    byte[] bytes = Files.readAllBytes(point);
    for (int i = 4096; i < bytes.length; i++) {
      bytes[i] = (byte) 0x5a; // every page after the first: the schema survives, the data does not
    }
    Files.write(damaged, bytes);
    assertThatThrownBy(() -> databases.restore(db, damaged, NO_TICK))
        .isInstanceOf(RestoreFailedException.class).hasMessageContaining("the restore point is unreadable")
        .hasMessageContaining("cannot be used");
    assertThatThrownBy(() -> databases.restore(db, home.resolve("checkpoints/missing.sqlite"), NO_TICK))
        .isInstanceOf(RestoreFailedException.class).hasMessageContaining("the restore point is missing");
    assertThat(databases.export(db, NO_TICK)).isEqualTo(before);
  }

  @Test
  void checkpointsAndRestoresADatabaseOfAMillionRowsAtTheCostOfAFileCopy() throws Exception {
    LocalDatabaseContext db = helloD1(snapshot("v1", Map.of()), DEFAULT);
    databases.applyMigrations(db, NO_TICK);
    long generated = System.nanoTime();
    databases.executeBatch(db, "INSERT INTO notes (body, author) SELECT 'note ' || x || ' of a million', 'author '"
        + " || (x % 100) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1000000)"
        + " SELECT x FROM c)", NO_TICK);
    generated = System.nanoTime() - generated;
    String fingerprint = "SELECT count(*) AS n, sum(id) AS ids, sum(length(body)) AS bytes FROM notes";
    List<Map<String, String>> before = rows(db, fingerprint);
    int[] ticks = {0};

    long checkpoint = System.nanoTime();
    Path point = databases.checkpoint(db, home.resolve("checkpoints/DB.sqlite"), () -> ticks[0]++);
    checkpoint = System.nanoTime() - checkpoint;
    databases.executeBatch(db, "DELETE FROM notes WHERE id % 3 = 0; CREATE TABLE later (x)", NO_TICK);
    long restore = System.nanoTime();
    databases.restore(db, point, () -> ticks[0]++);
    restore = System.nanoTime() - restore;

    assertThat(rows(db, fingerprint)).isEqualTo(before);
    assertThat(before.get(0).get("n")).isEqualTo("1000000");
    assertThat(userTables(db)).doesNotContain("later");
    System.out.printf("[timing] 1,000,000 rows (%d MB): generate %d ms, checkpoint %d ms, restore %d ms%n",
        Files.size(point) >> 20, generated / 1_000_000, checkpoint / 1_000_000, restore / 1_000_000);
  }

  // ---- a writer left by a killed worker of an earlier version --------------------------------------

  @Test
  void applyWaitsForAnApplyThatADeadWorkerLeftRunningAndAppliesEachMigrationOnce() throws Exception {
    Path project = snapshot("v1", Map.of(
        "migrations/0003_events.sql", EVENTS + "INSERT INTO events (what) VALUES ('0003');\n",
        "migrations/0004_slow.sql", "INSERT INTO events (what) VALUES ('0004');\n"
            + "CREATE TABLE slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
            + " LIMIT 10000000) SELECT count(*) AS n FROM c;\n",
        "migrations/0005_after.sql", "INSERT INTO events (what) VALUES ('0005');\n"));
    LocalDatabaseContext db = helloD1(project, DEFAULT);
    Path workdir = workspace.workdir(SERVICE, DEFAULT, "v1", project);
    // what a killed worker of an earlier version leaves behind: its wrangler, still applying, no one's child
    ProcessHandle leftover = startOrphan(List.of("d1", "migrations", "apply", "DB", "-c",
        workdir.resolve("wrangler.toml").toString(), "--local", "--persist-to", db.stateDir().toString()), workdir);
    try {
      assertThat(LocalDatabases.leftoverWriters(db.stateDir())).contains(leftover);
      int[] ticks = {0};

      ApplyResult result = databases.applyMigrations(db, () -> ticks[0]++);

      assertThat(ticks[0]).as("waited for the leftover, heartbeating").isPositive();
      assertThat(LocalDatabases.leftoverWriters(db.stateDir())).as("the leftover had ended").isEmpty();
      assertThat(result.ledger()).containsExactly(M1, M2, "0003_events.sql", "0004_slow.sql", "0005_after.sql");
      assertThat(rows(db, "SELECT what, count(*) AS n FROM events GROUP BY what ORDER BY what"))
          .extracting(row -> row.get("what") + "×" + row.get("n"))
          .containsExactly("0003×1", "0004×1", "0005×1");
    } finally {
      ProcessRunner.destroyTree(leftover);
    }
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

  @Test
  void namesFilesAsMiniflaresIdFromName() {
    // the file wrangler 4.86 created for hello-d1's database_id (shared notes on wrangler §1)
    assertThat(D1Files.database(Path.of("/s"), "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c01")).isEqualTo(Path.of(
        "/s/v3/d1/miniflare-D1DatabaseObject/4f768edb51c447402c806b4396e1f83ed2ab83a61e0b716d40d0536e37dcb563.sqlite"));
  }

  // ---- fixtures ----------------------------------------------------------------------------------

  /** Values a restore must carry through unchanged: quotes, newlines, non-ASCII, NULL, blobs. */
  private static final String TRICKY_ROWS =
      "INSERT INTO notes (body, author) VALUES ('it''s', 'ann'), ('two' || char(10) || 'lines', NULL),"
          + " ('héllo ✓', X'00ff')";

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
      throw new UncheckedIOException(e);
    }
    return snapshot;
  }

  /** The DB binding of hello-d1's top-level config in {@code snapshot}, on the environment's state. */
  private LocalDatabaseContext helloD1(Path snapshot, String env) {
    return context(snapshot, env, plan(snapshot, "DB", "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c01", "migrations", null));
  }

  private LocalDatabaseContext context(Path snapshot, String env, DatabasePlan plan) {
    return new LocalDatabaseContext(workspace.stateDir(SERVICE, env), plan, snapshot.resolve(plan.migrationsDir()));
  }

  /** The plan as prepare makes it: the files by numeric prefix, as wrangler orders them, with their sha256. */
  private static DatabasePlan plan(Path snapshot, String binding, String databaseId, String migrationsDir,
      String table) {
    List<MigrationFile> files = new ArrayList<>();
    try (Stream<Path> sql = Files.list(snapshot.resolve(migrationsDir))) {
      for (Path file : sql.filter(f -> f.toString().endsWith(".sql"))
          .sorted(Comparator.comparingInt(f -> Integer.parseInt(f.getFileName().toString().split("_")[0])))
          .toList()) {
        files.add(new MigrationFile(file.getFileName().toString(), Checksums.sha256(Files.readAllBytes(file))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new DatabasePlan(binding, binding.toLowerCase(), databaseId, migrationsDir, table, files, databaseId);
  }

  /** Runs {@code wrangler d1 <args> -c <config> --local --persist-to <state>} in the project. */
  private void wranglerD1(Path project, Path state, String... args) {
    List<String> argv = new ArrayList<>(List.of("d1"));
    argv.addAll(List.of(args));
    argv.addAll(List.of("-c", project.resolve("wrangler.toml").toString(), "--local", "--persist-to",
        state.toString()));
    ProcessResult result = wrangler.run(argv, project, Duration.ofMinutes(2), NO_TICK);
    assertThat(result.succeeded()).as("wrangler %s: %s", argv, result.diagnostics()).isTrue();
  }

  private List<Map<String, String>> rows(LocalDatabaseContext db, String sql) {
    return databases.query(db, "", sql, NO_TICK).orElseThrow();
  }

  private List<String> userTables(LocalDatabaseContext db) {
    return rows(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        + " AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'").stream().map(row -> row.get("name")).toList();
  }

  /** Every file under {@code dir} with the sha256 of its content. */
  private static Map<String, String> tree(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path file : walk.filter(Files::isRegularFile).toList()) {
        files.put(dir.relativize(file).toString(), Checksums.sha256(Files.readAllBytes(file)));
      }
    }
    return files;
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
}
