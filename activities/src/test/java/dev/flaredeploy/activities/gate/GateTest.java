package dev.flaredeploy.activities.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.activities.PreflightReport;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.CheckFinding;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.FreezeWindow;
import dev.flaredeploy.workflows.model.LocalSettings;
import dev.flaredeploy.workflows.model.MigrationAllowance;
import dev.flaredeploy.workflows.model.MigrationFile;
import dev.flaredeploy.workflows.model.PolicySettings;
import dev.flaredeploy.workflows.model.RolloutPlan;
import dev.flaredeploy.workflows.model.SchemaReport;
import dev.flaredeploy.workflows.model.SmokeCheck;
import dev.flaredeploy.workflows.model.SmokePlan;
import dev.flaredeploy.workflows.model.SourceSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pre-deploy checks over a target whose databases are real SQLite databases: what blocks, with which
 * failure type and message, what only warns, and what is read (each database once, its schema and bounded
 * probes, never an export).
 */
class GateTest {
  private static final String NOTES = "0001_notes.sql";
  private static final String NOTES_SQL = """
      CREATE TABLE notes (id INTEGER PRIMARY KEY, slug TEXT, body TEXT NOT NULL, author TEXT);
      """;
  private static final Clock MONDAY = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);

  @TempDir Path project;
  private final SqliteTarget target = new SqliteTarget();
  private final Map<String, Map<String, String>> files = new LinkedHashMap<>();

  @BeforeEach
  void aDatabaseWithNotesAndDuplicatedSlugs() {
    file("DB", NOTES, NOTES_SQL);
    applied("DB", NOTES);
    target.database("DB", """
        INSERT INTO notes VALUES (1, 'hello', 'top secret one', 'ada'), (2, 'hello', 'top secret two', 'bob'),
          (3, 'bye', 'top secret three', NULL);
        """);
  }

  @Test
  void aUniqueIndexOverDuplicatedRowsBlocksNamingTheMigrationTheIndexAndTheKeysOnly() {
    file("DB", "0002_unique_slug.sql", "CREATE UNIQUE INDEX notes_by_slug ON notes(slug);\n");

    SchemaReport report = run(plan());

    CheckResult data = result(report, "data");
    assertThat(data.outcome()).isEqualTo(CheckResult.BLOCKED);
    assertThat(data.failureType()).isEqualTo(FailureTypes.DATA_CONFLICT);
    assertThat(data.findings()).singleElement().satisfies(f -> {
      assertThat(f.subject()).isEqualTo("0002_unique_slug.sql");
      assertThat(f.code()).isEqualTo("unique");
      assertThat(f.details()).containsExactly("slug = 'hello' (2 rows)");
    });
    assertThat(Gate.failureType(report)).isEqualTo(FailureTypes.DATA_CONFLICT);
    assertThat(Gate.blocked(report)).hasValueSatisfying(why -> assertThat(why)
        .startsWith("the deployment is blocked; nothing was changed:")
        .contains("DB 0002_unique_slug.sql (statement 1, line 1) fails on the rows the database holds: unique index"
            + " notes_by_slug on notes(slug) is broken by duplicated keys: slug = 'hello' (2 rows)")
        .doesNotContain("top secret", "ada", "bob"));
    assertThat(result(report, "migrations").findings()).singleElement().satisfies(f ->
        assertThat(f.code()).isEqualTo("ADDITIVE"));
    assertThat(target.probes).singleElement().asString().contains("GROUP BY", "HAVING COUNT(*) > 1", "LIMIT 6");
  }

  @Test
  void theSameIndexOverDistinctRowsPassesWithWhatWasChecked() {
    target.database("DB", "UPDATE notes SET slug = 'first' WHERE id = 1;");
    file("DB", "0002_unique_slug.sql", "CREATE UNIQUE INDEX notes_by_slug ON notes(slug);\n");

    SchemaReport report = run(plan());

    assertThat(Gate.blocked(report)).isEmpty();
    assertThat(result(report, "data").outcome()).isEqualTo(CheckResult.PASSED);
    assertThat(result(report, "data").findings()).singleElement().satisfies(f -> assertThat(f.message())
        .isEqualTo("DB 0002_unique_slug.sql (statement 1, line 1): unique index notes_by_slug on notes(slug) holds"
            + " for the rows the database holds"));
  }

  @Test
  void aProbeThatCannotDecideWarnsNamingTheRestorePointThatCoversIt() {
    file("DB", "0002_dedupe.sql", """
        DELETE FROM notes WHERE id NOT IN (SELECT MIN(id) FROM notes GROUP BY slug);
        CREATE UNIQUE INDEX notes_by_slug ON notes(slug);
        """);

    SchemaReport local = run(plan());
    SchemaReport cloudflare = run(plan("cloudflare", "warn", null));

    assertThat(Gate.blocked(local)).isEmpty();
    assertThat(result(local, "data").outcome()).isEqualTo(CheckResult.WARNED);
    assertThat(result(local, "data").findings()).singleElement().satisfies(f -> assertThat(f.message())
        .contains("whether unique index notes_by_slug on notes(slug) holds for the rows the database holds could"
            + " not be checked", "notes was changed earlier in this deployment",
            "a copy of DB's database file, taken before migrating"));
    assertThat(result(cloudflare, "data").findings()).singleElement().satisfies(f -> assertThat(f.message())
        .contains("a Time Travel bookmark of DB, taken before migrating"));
  }

  @Test
  void aProbeThatFailsIsAWarningNeverAPass() {
    file("DB", "0002_unique_slug.sql", "CREATE UNIQUE INDEX notes_by_slug ON notes(slug);\n");
    target.probeFailure = new IllegalStateException("D1 is overloaded");

    SchemaReport report = run(plan());

    assertThat(Gate.blocked(report)).isEmpty();
    assertThat(result(report, "data").findings()).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(CheckFinding.WARNING);
      assertThat(f.message()).contains("could not be checked: the probe failed (D1 is overloaded)");
    });
  }

  @Test
  void aColumnAddedByHandIsDriftWithNothingPending() {
    target.database("DB", "ALTER TABLE notes ADD COLUMN priority INTEGER;");

    SchemaReport warned = run(plan());
    SchemaReport failed = run(plan("local", "fail", null));

    assertThat(warned.databases().get(0).pending()).isEmpty();
    assertThat(result(warned, "drift").outcome()).isEqualTo(CheckResult.WARNED);
    assertThat(result(warned, "drift").findings()).singleElement().satisfies(f -> assertThat(f.message())
        .isEqualTo("DB: column notes.priority exists in the live database but no applied migration creates it"));
    assertThat(Gate.blocked(warned)).isEmpty();
    assertThat(Gate.blocked(failed)).hasValueSatisfying(why -> assertThat(why)
        .contains("column notes.priority", "on_drift = \"warn\""));
    assertThat(Gate.failureType(failed)).isEqualTo(FailureTypes.MIGRATION_UNSAFE);
  }

  @Test
  void everyDatabaseIsReadOnceBeforeTheChecksAndConcurrentlyWhenTheTargetAllows() throws Exception {
    file("OTHER", "0001_tags.sql", "CREATE TABLE tags (name TEXT PRIMARY KEY);\n");
    target.database("OTHER", "SELECT 1;");
    file("DB", "0002_unique_slug.sql", "CREATE UNIQUE INDEX notes_by_slug ON notes(slug);\n");
    target.concurrentReads = 4;
    CountDownLatch bothReading = new CountDownLatch(2);
    target.onInspect = binding -> {
      bothReading.countDown();
      try {
        assertThat(bothReading.await(10, TimeUnit.SECONDS)).as("the other database is read at the same time").isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };

    SchemaReport report = run(plan());

    assertThat(target.inspected).containsExactlyInAnyOrder("DB", "OTHER");
    assertThat(report.databases()).extracting(d -> d.binding() + " " + d.pending())
        .containsExactly("DB [0002_unique_slug.sql]", "OTHER [0001_tags.sql]");
    assertThat(result(report, "drift").outcome()).isEqualTo(CheckResult.PASSED);
  }

  @Test
  void aDatabaseNeverCreatedIsNotDriftAndNeedsNoProbe() {
    file("NEW", "0001_tags.sql", "CREATE TABLE tags (name TEXT PRIMARY KEY);\nCREATE UNIQUE INDEX t ON tags(name);\n");

    SchemaReport report = run(plan());

    assertThat(report.databases()).extracting(d -> d.binding() + " " + d.pending())
        .contains("NEW [0001_tags.sql]");
    assertThat(result(report, "drift").outcome()).isEqualTo(CheckResult.PASSED);
    assertThat(target.probes).isEmpty();
    assertThat(Gate.blocked(report)).isEmpty();
  }

  @Test
  void aTargetThatIsNotReadyStopsEveryOtherCheckAndReadsNothing() {
    target.preflight = new PreflightReport(List.of("D1 binding DB has no database_id; add it"), List.of());

    SchemaReport report = run(plan());

    assertThat(report.results()).extracting(CheckResult::check).containsExactly("preflight");
    assertThat(report.databases()).isEmpty();
    assertThat(target.inspected).isEmpty();
    assertThat(Gate.failureType(report)).isEqualTo(FailureTypes.PREFLIGHT_FAILED);
    assertThat(Gate.blocked(report)).hasValueSatisfying(why -> assertThat(why)
        .startsWith("the deployment is blocked; nothing was changed:\n  D1 binding DB has no database_id; add it"));
  }

  @Test
  void aFailedPolicyIsThePoliciesFailureEvenWhenMigrationsBlockToo() {
    file("DB", "0002_drop.sql", "ALTER TABLE notes DROP COLUMN author;\n");
    PolicySettings freeze = new PolicySettings(List.of(new FreezeWindow("monday", "incident review",
        List.of("monday"), "00:00", "24:00", "UTC", null, null)), null, false, List.of(), List.of());

    SchemaReport report = run(withPolicy(plan(), freeze));

    assertThat(result(report, "policies").outcome()).isEqualTo(CheckResult.BLOCKED);
    assertThat(result(report, "migrations").outcome()).isEqualTo(CheckResult.BLOCKED);
    assertThat(Gate.failureType(report)).isEqualTo(FailureTypes.POLICY_BLOCKED);
    assertThat(Gate.blocked(report)).hasValueSatisfying(why -> assertThat(why)
        .contains("policy freeze: failed - freeze window \"monday\" is in effect", "--override freeze --reason",
            "DB 0002_drop.sql: DESTRUCTIVE", "--allow-destructive"));
  }

  @Test
  void destructiveMigrationsBlockUnlessAllowedAndAllowedOnesAreWarnings() {
    file("DB", "0002_drop.sql", "ALTER TABLE notes DROP COLUMN author;\n");

    CheckResult blocked = result(run(plan()), "migrations");
    CheckResult allowed = result(run(withAllowance(plan(), new MigrationAllowance("0002_drop.sql", "DB",
        "no release reads author"))), "migrations");

    assertThat(blocked.findings()).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(CheckFinding.ERROR);
      assertThat(f.details()).anySatisfy(d -> assertThat(d).startsWith("DESTRUCTIVE column notes.author"));
    });
    assertThat(blocked.remedy()).contains("safer: Drop a column in two deployments", "--allow-destructive");
    assertThat(allowed.outcome()).isEqualTo(CheckResult.WARNED);
    assertThat(allowed.findings()).singleElement().satisfies(f -> assertThat(f.message())
        .isEqualTo("DB 0002_drop.sql: DESTRUCTIVE, allowed by [[migrations.allow]] in flaredeploy.toml: no release"
            + " reads author"));
  }

  @Test
  void aMigrationThatDoesNotApplyBlocksAndTheOnesAfterItAreNotTried() {
    file("DB", "0002_typo.sql", "CREATE INDX notes_by_author ON notes(author);\n");
    file("DB", "0003_tags.sql", "CREATE TABLE tags (name TEXT);\n");

    SchemaReport report = run(plan());

    assertThat(result(report, "migrations").findings()).extracting(CheckFinding::subject, CheckFinding::code)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("0002_typo.sql", "FAILS"),
            org.assertj.core.groups.Tuple.tuple("0003_tags.sql", "unchecked"));
    assertThat(Gate.blocked(report)).hasValueSatisfying(why -> assertThat(why)
        .contains("DB 0002_typo.sql does not apply to the live schema", "near \"INDX\"",
            "fix the migration that does not apply"));
  }

  @Test
  void anEditedAppliedMigrationBlocksWithTheCommandThatAcceptsIt() {
    file("DB", NOTES, NOTES_SQL + "-- edited\n");

    SchemaReport report = run(plan());

    assertThat(result(report, "checksums").findings()).singleElement().satisfies(f -> {
      assertThat(f.code()).isEqualTo("EDITED");
      assertThat(f.subject()).isEqualTo(NOTES);
    });
    assertThat(Gate.blocked(report)).hasValueSatisfying(why -> assertThat(why)
        .contains("DB 0001_notes.sql was edited after it was applied",
            "flaredeploy migrations accept /p --reason \"…\" 0001_notes.sql"));
  }

  @Test
  void aRolloutMayFollowOnlyMigrationsTheLiveVersionCanLiveWith() {
    RolloutPlan rollout = new RolloutPlan(List.of(10, 50, 100), 300_000);
    file("DB", "0002_author_index.sql", "CREATE INDEX notes_by_author ON notes(author);\n");

    assertThat(result(run(plan("cloudflare", "warn", rollout)), "rollout").outcome()).isEqualTo(CheckResult.PASSED);
    assertThat(result(run(plan("cloudflare", "warn", null)), "rollout").outcome()).isEqualTo(CheckResult.SKIPPED);

    file("DB", "0003_drop.sql", "DROP INDEX notes_by_author;\nALTER TABLE notes DROP COLUMN author;\n");
    SchemaReport refused = run(withAllowDestructive(plan("cloudflare", "warn", rollout)));

    assertThat(result(refused, "rollout").findings()).extracting(CheckFinding::message)
        .containsExactly("DB 0003_drop.sql: DESTRUCTIVE");
    assertThat(Gate.blocked(refused)).hasValueSatisfying(why -> assertThat(why)
        .contains("the gradual rollout ([rollout]) is refused", "[rollout] enabled = false in flaredeploy.toml",
            "or split the migration"));

    target.liveSource = "src-new";
    assertThat(result(run(withAllowDestructive(plan("cloudflare", "warn", rollout))), "rollout").outcome())
        .as("this source is live already: nothing to roll out").isEqualTo(CheckResult.SKIPPED);
  }

  @Test
  void fileSequenceProblemsAreWarningsOnly() {
    file("DB", "0002_a.sql", "CREATE TABLE a (x);\n");
    file("DB", "0002_b.sql", "CREATE TABLE b (x);\n");

    SchemaReport report = run(plan());

    assertThat(result(report, "migration-files").outcome()).isEqualTo(CheckResult.WARNED);
    assertThat(result(report, "migration-files").findings()).anySatisfy(f ->
        assertThat(f.message()).startsWith("DB: ").contains("0002"));
    assertThat(Gate.blocked(report)).isEmpty();
  }

  // ---- helpers ----

  private SchemaReport run(DeploymentPlan plan) {
    target.inspected.clear();
    target.probes.clear();
    return Gate.run(target, plan, Tick.NONE, 1, MONDAY);
  }

  private static CheckResult result(SchemaReport report, String check) {
    return report.results().stream().filter(r -> r.check().equals(check)).findFirst().orElseThrow();
  }

  /** A migration file of {@code binding} in the project (the pinned source). */
  private void file(String binding, String name, String sql) {
    files.computeIfAbsent(binding, b -> new LinkedHashMap<>()).put(name, sql);
    try {
      Path dir = project.resolve(dir(binding));
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(name), sql);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code binding}'s database as after a deployment that applied {@code name} (ledger and checksum). */
  private void applied(String binding, String name) {
    String sql = files.get(binding).get(name);
    target.database(binding, "CREATE TABLE IF NOT EXISTS d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        + " name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);\n" + sql
        + "\nINSERT INTO d1_migrations (name) VALUES ('" + name + "');\n"
        + Checksums.recordStatement(Map.of(name, Checksums.sha256(sql))));
  }

  private static String dir(String binding) {
    return binding.equals("DB") ? "migrations" : "migrations_" + binding.toLowerCase();
  }

  private DeploymentPlan plan() {
    return plan("local", "warn", null);
  }

  private DeploymentPlan plan(String targetName, String onDrift, RolloutPlan rollout) {
    List<DatabasePlan> databases = new ArrayList<>();
    files.forEach((binding, migrations) -> databases.add(new DatabasePlan(binding, binding.toLowerCase(), "id-"
        + binding, dir(binding), "d1_migrations", migrations.entrySet().stream()
            .map(e -> new MigrationFile(e.getKey(), Checksums.sha256(readFile(binding, e.getKey())))).toList())));
    return new DeploymentPlan("svc", "default", targetName,
        new SourceSnapshot("src-new", project.toString(), null, false, "/p", List.of()), "wrangler.toml",
        databases, new SmokePlan(30_000, List.of(new SmokeCheck("/health", null, null)), null),
        List.of("apply-migrations"), new LocalSettings(8787), 1, false, onDrift, rollout, false, PolicySettings.NONE,
        List.of(), null, null, null);
  }

  private String readFile(String binding, String name) {
    try {
      return Files.readString(project.resolve(dir(binding)).resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static DeploymentPlan withPolicy(DeploymentPlan p, PolicySettings policy) {
    return new DeploymentPlan(p.service(), p.environment(), p.target(), p.source(), p.configFile(), p.databases(),
        p.smoke(), p.restoreDatabaseOn(), p.local(), p.attempt(), p.allowDestructive(), p.onDrift(), p.rollout(),
        p.checkpointExport(), policy, p.allowances(), null, null, null);
  }

  private static DeploymentPlan withAllowance(DeploymentPlan p, MigrationAllowance allowance) {
    return new DeploymentPlan(p.service(), p.environment(), p.target(), p.source(), p.configFile(), p.databases(),
        p.smoke(), p.restoreDatabaseOn(), p.local(), p.attempt(), p.allowDestructive(), p.onDrift(), p.rollout(),
        p.checkpointExport(), p.policy(), List.of(allowance), null, null, null);
  }

  private static DeploymentPlan withAllowDestructive(DeploymentPlan p) {
    return new DeploymentPlan(p.service(), p.environment(), p.target(), p.source(), p.configFile(), p.databases(),
        p.smoke(), p.restoreDatabaseOn(), p.local(), p.attempt(), true, p.onDrift(), p.rollout(),
        p.checkpointExport(), p.policy(), p.allowances(), null, null, null);
  }
}
