package dev.flaredeploy.activities;

import dev.flaredeploy.activities.testing.PinnedWrangler;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.gate.Gate;
import dev.flaredeploy.activities.local.LocalDatabases;
import dev.flaredeploy.activities.local.LocalReleases;
import dev.flaredeploy.activities.local.LocalTarget;
import dev.flaredeploy.activities.local.LocalWorkspace;
import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.process.Wrangler;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.activities.safety.Checksums.Recorded;
import dev.flaredeploy.activities.source.SourceSnapshots;
import dev.flaredeploy.testkit.ExampleProjects;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.ChecksumProblem;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.CheckFinding;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.SchemaReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recording and checking migration checksums on the local target: real SQLite files of wrangler's local
 * mode (and the real, pinned wrangler where a test applies as a person would without flaredeploy). The
 * apply is {@link ChecksumLedger#applyAndRecord}, what the apply-migrations activity runs; validation is
 * {@link Gate}, what validate-schema and {@code
 * flaredeploy plan} run.
 */
class MigrationChecksumsTest {
  private static final String M1 = "0001_create_notes.sql";
  private static final String M2 = "0002_add_author.sql";
  private static final Tick NO_TICK = Tick.NONE;

  @TempDir Path home;
  private Path project;
  private PlanBuilder plans;
  private LocalTarget target;
  private LocalWorkspace workspace;
  private Wrangler wrangler;

  @BeforeEach
  void setUp() {
    workspace = new LocalWorkspace(home.resolve("home"));
    wrangler = PinnedWrangler.in(workspace.logs());
    SourceSnapshots sources = new SourceSnapshots(workspace.snapshots(), new ProcessRunner());
    target = new LocalTarget(workspace, sources, new LocalDatabases(), new LocalReleases(workspace, wrangler));
    plans = new PlanBuilder(sources, new ProjectConfigLoader());
    project = ExampleProjects.copy("hello-d1", home.resolve("project"));
  }

  @Test
  void recordsTheSha256OfEveryAppliedFileInTheSameDatabase() throws IOException {
    DeploymentPlan plan = plan();

    assertThat(ChecksumLedger.applyAndRecord(target, plan, db(plan), NO_TICK)).containsExactly(M1, M2);

    Map<String, Recorded> recorded = ChecksumLedger.recorded(target, plan, db(plan), NO_TICK);
    assertThat(recorded).containsOnlyKeys(M1, M2);
    assertThat(recorded.get(M1).sha256()).isEqualTo(sha256Of(M1));
    assertThat(recorded.get(M2).sha256()).isEqualTo(sha256Of(M2));
    assertThat(recorded.get(M1).appliedAt()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
    SchemaReport report = validate(plan);
    assertThat(result(report, "checksums").outcome()).isEqualTo(CheckResult.PASSED);
    assertThat(result(report, "drift").outcome()).as("the checksum table is not drift").isEqualTo(CheckResult.PASSED);
  }

  @Test
  void theLocalTargetRecordsEachChecksumInItsMigrationsTransactionWithoutASecondWrite() {
    DeploymentPlan plan = plan();

    // the target alone, without ChecksumLedger's second write: no window between a migration and its checksum
    assertThat(target.applyMigrations(plan, db(plan), NO_TICK)).containsExactly(M1, M2);

    assertThat(ChecksumLedger.recorded(target, plan, db(plan), NO_TICK)).containsOnlyKeys(M1, M2);
  }

  @Test
  void editingAnAppliedMigrationBlocksEvenWithNothingPendingUntilTheEditIsAccepted() throws IOException {
    DeploymentPlan v1 = plan();
    ChecksumLedger.applyAndRecord(target, v1, db(v1), NO_TICK);
    String applied = sha256Of(M1);
    Files.writeString(project.resolve("migrations/" + M1),
        Files.readString(project.resolve("migrations/" + M1)).replace("body TEXT NOT NULL", "body TEXT"));
    DeploymentPlan v2 = plan();

    SchemaReport report = validate(v2);

    assertThat(report.databases().get(0).pending()).isEmpty();
    assertThat(result(report, "checksums").findings()).singleElement().satisfies(f -> {
      assertThat(f.code()).isEqualTo(ChecksumProblem.EDITED);
      assertThat(f.subject()).isEqualTo(M1);
    });
    List<ChecksumProblem> problems = ChecksumLedger.problems(target, v2, NO_TICK);
    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(ChecksumProblem.EDITED);
      assertThat(p.file()).isEqualTo(M1);
      assertThat(p.recordedSha256()).isEqualTo(applied);
      assertThat(p.currentSha256()).isEqualTo(sha256Of(M1));
      assertThat(p.appliedAt()).isNotBlank();
    });
    assertThat(Gate.blocked(report)).hasValueSatisfying(why -> assertThat(why)
        .contains("DB " + M1 + " was edited after it was applied", applied.substring(0, 12),
            "flaredeploy migrations accept " + project.toAbsolutePath().normalize() + " --reason \"…\" " + M1));
    assertThat(Gate.failureType(report)).isEqualTo(FailureTypes.MIGRATION_UNSAFE);

    ChecksumLedger.accept(target, v2, db(v2), problems.get(0), "only a constraint", "ada@box", NO_TICK);

    SchemaReport accepted = validate(v2);
    assertThat(result(accepted, "checksums").findings()).isEmpty();
    assertThat(Gate.blocked(accepted)).isEmpty();
    Recorded row = ChecksumLedger.recorded(target, v2, db(v2), NO_TICK).get(M1);
    assertThat(row.sha256()).isEqualTo(sha256Of(M1));
    assertThat(row.acceptedReason()).isEqualTo("only a constraint");
    assertThat(row.acceptedBy()).isEqualTo("ada@box");
    assertThat(row.acceptedAt()).isNotBlank();
    // the next apply keeps the accepted checksum
    ChecksumLedger.applyAndRecord(target, v2, db(v2), NO_TICK);
    assertThat(ChecksumLedger.recorded(target, v2, db(v2), NO_TICK).get(M1).sha256()).isEqualTo(sha256Of(M1));
  }

  @Test
  void aVanishedMigrationBlocksUntilItsRemovalIsAccepted() throws IOException {
    DeploymentPlan v1 = plan();
    ChecksumLedger.applyAndRecord(target, v1, db(v1), NO_TICK);
    Files.delete(project.resolve("migrations/" + M2));
    DeploymentPlan v2 = plan();

    SchemaReport report = validate(v2);

    assertThat(result(report, "checksums").findings()).extracting(CheckFinding::subject, CheckFinding::code)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(M2, ChecksumProblem.VANISHED));
    assertThat(Gate.blocked(report)).hasValueSatisfying(why -> assertThat(why)
        .contains("DB " + M2 + " was applied", "its file no longer exists", "migrations accept"));

    ChecksumLedger.accept(target, v2, db(v2), ChecksumLedger.problems(target, v2, NO_TICK).get(0),
        "squashed into 0001", "ada@box", NO_TICK);

    assertThat(result(validate(v2), "checksums").findings()).isEmpty();
    assertThat(ChecksumLedger.recorded(target, v2, db(v2), NO_TICK).get(M2).sha256()).isEqualTo(Checksums.VANISHED);
  }

  @Test
  void migrationsAppliedWithoutFlaredeployAreAWarningAndAdoptedAtTheNextApply() throws IOException {
    DeploymentPlan v1 = plan();
    // as plain `wrangler d1 migrations apply` would, on the state the local target uses
    ProcessResult applied = wrangler.run(List.of("d1", "migrations", "apply", "DB", "-c",
        project.resolve("wrangler.toml").toString(), "--local", "--persist-to",
        workspace.stateDir("hello-d1", "default").toString()), project, java.time.Duration.ofMinutes(2), NO_TICK);
    assertThat(applied.succeeded()).as(applied.diagnostics()).isTrue();

    SchemaReport report = validate(v1);
    assertThat(result(report, "checksums").outcome()).isEqualTo(CheckResult.WARNED);
    assertThat(result(report, "checksums").findings()).singleElement().satisfies(f -> assertThat(f.message())
        .contains("no checksum recorded for " + M1 + ", " + M2));

    Files.writeString(project.resolve("migrations/0003_tags.sql"), "CREATE TABLE tags (name TEXT PRIMARY KEY);\n");
    DeploymentPlan v2 = plan();
    ChecksumLedger.applyAndRecord(target, v2, db(v2), NO_TICK);

    assertThat(ChecksumLedger.recorded(target, v2, db(v2), NO_TICK)).containsOnlyKeys(M1, M2, "0003_tags.sql");
    assertThat(result(validate(v2), "checksums").findings()).isEmpty();
  }

  @Test
  void anAllowanceLetsItsDestructiveMigrationThroughWithItsReasonWhileAnotherStillBlocks() throws IOException {
    DeploymentPlan v1 = plan();
    ChecksumLedger.applyAndRecord(target, v1, db(v1), NO_TICK);
    Files.writeString(project.resolve("migrations/0003_drop_author.sql"),
        "DROP INDEX notes_by_author;\nALTER TABLE notes DROP COLUMN author;\n");
    Files.writeString(project.resolve("flaredeploy.toml"), Files.readString(project.resolve("flaredeploy.toml"))
        + "\n[[migrations.allow]]\nfile = \"0003_drop_author.sql\"\ndatabase = \"DB\"\n"
        + "reason = \"no release reads author since v2\"\n");
    DeploymentPlan allowed = plan();

    SchemaReport report = validate(allowed);

    CheckFinding check = result(report, "migrations").findings().get(0);
    assertThat(check.code()).isEqualTo("DESTRUCTIVE");
    assertThat(check.severity()).isEqualTo(CheckFinding.WARNING);
    assertThat(check.message()).contains("DB 0003_drop_author.sql: DESTRUCTIVE, allowed by [[migrations.allow]] in"
        + " flaredeploy.toml: no release reads author since v2");
    assertThat(Gate.blocked(report)).isEmpty();

    Files.writeString(project.resolve("migrations/0004_drop_notes.sql"), "DROP TABLE notes;\n");
    DeploymentPlan both = plan();
    SchemaReport second = validate(both);
    assertThat(result(second, "migrations").findings()).extracting(CheckFinding::subject, CheckFinding::blocks)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("0003_drop_author.sql", false),
            org.assertj.core.groups.Tuple.tuple("0004_drop_notes.sql", true));
    assertThat(Gate.blocked(second)).hasValueSatisfying(why -> assertThat(why)
        .contains("0004_drop_notes.sql").doesNotContain("0003_drop_author.sql"));
  }

  // ---- helpers ----

  private DeploymentPlan plan() {
    return plans.plan(new DeploymentRequest(project.toString(), "default", "local", "hello-d1", null, "test", false,
        List.of()), 1);
  }

  private static DatabasePlan db(DeploymentPlan plan) {
    return plan.databases().get(0);
  }

  private SchemaReport validate(DeploymentPlan plan) {
    return Gate.run(target, plan, NO_TICK, 1);
  }

  private static CheckResult result(SchemaReport report, String check) {
    return report.results().stream().filter(r -> r.check().equals(check)).findFirst().orElseThrow();
  }

  private String sha256Of(String migration) throws IOException {
    return Checksums.sha256(Files.readAllBytes(project.resolve("migrations/" + migration)));
  }
}
