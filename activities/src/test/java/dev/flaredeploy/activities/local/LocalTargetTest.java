package dev.flaredeploy.activities.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.activities.ChecksumLedger;
import dev.flaredeploy.activities.DatabaseState;
import dev.flaredeploy.activities.PlanBuilder;
import dev.flaredeploy.activities.gate.Gate;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.activities.source.SourceSnapshots;
import dev.flaredeploy.activities.testing.PinnedWrangler;
import dev.flaredeploy.testkit.ExampleProjects;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.RestorePoint;
import dev.flaredeploy.workflows.model.SchemaReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local target's database side as the steps use it (prepare's plan, then validate-schema, checkpoint,
 * apply-migrations, restore-database), on real SQLite files: what it leaves behind and how many processes it
 * starts (none: only releasing starts {@code wrangler dev}).
 */
class LocalTargetTest {
  private static final Tick NO_TICK = Tick.NONE;

  @TempDir Path root;
  private LocalWorkspace workspace;
  private LocalTarget target;
  private PlanBuilder plans;
  private Path project;

  @BeforeEach
  void setUp() {
    workspace = new LocalWorkspace(root.resolve("home"));
    SourceSnapshots sources = new SourceSnapshots(workspace.snapshots(), new ProcessRunner());
    target = new LocalTarget(workspace, sources, new LocalDatabases(),
        new LocalReleases(workspace, PinnedWrangler.in(workspace.logs())));
    plans = new PlanBuilder(sources, new ProjectConfigLoader());
    project = ExampleProjects.copy("hello-d1", root.resolve("project"));
  }

  @Test
  void planOfAnEnvironmentNeverDeployedLeavesItExactlyAsItWas() {
    DeploymentPlan plan = plan();
    long processes = ProcessRunner.started();

    SchemaReport report = Gate.run(target, plan, NO_TICK, 1);

    assertThat(report.databases().get(0).pending()).containsExactly("0001_create_notes.sql", "0002_add_author.sql");
    assertThat(target.inspect(plan, db(plan), NO_TICK)).isEqualTo(DatabaseState.ABSENT);
    assertThat(target.probe(plan, db(plan), "SELECT 1 AS one", NO_TICK)).isEmpty();
    assertThat(workspace.environmentDir("hello-d1", "default"))
        .as("no state dir, no database file, no working copy").doesNotExist();
    assertThat(ProcessRunner.started() - processes).as("processes started by validate-schema").isZero();
  }

  @Test
  void planOfADeployedEnvironmentChangesNoByteOfIt() throws IOException {
    DeploymentPlan v1 = plan();
    ChecksumLedger.applyAndRecord(target, v1, db(v1), NO_TICK);
    target.executeBatch(v1, db(v1), "INSERT INTO notes (body) VALUES ('kept')", NO_TICK);
    Files.writeString(project.resolve("migrations/0003_unique_body.sql"), "CREATE UNIQUE INDEX one_body ON notes (body);\n");
    DeploymentPlan v2 = plan();
    Map<String, String> before = tree(workspace.home()); // the environment, and the shared databases

    SchemaReport report = Gate.run(target, v2, NO_TICK, 1);
    DatabaseState state = target.inspect(v2, db(v2), NO_TICK);

    assertThat(report.databases().get(0).pending()).containsExactly("0003_unique_body.sql");
    assertThat(state.applied()).containsExactly("0001_create_notes.sql", "0002_add_author.sql");
    assertThat(state.checksums()).containsOnlyKeys("0001_create_notes.sql", "0002_add_author.sql");
    assertThat(state.schema()).extracting(DatabaseState.SchemaObject::name)
        .containsExactly("d1_migrations", "notes", Checksums.TABLE, "notes_by_author");
    assertThat(tree(workspace.home())).as("byte for byte").isEqualTo(before);
  }

  @Test
  void aDeploymentsDatabaseStepsStartNoProcessAndTheRestorePointRestores() throws IOException {
    DeploymentPlan v1 = plan();
    ChecksumLedger.applyAndRecord(target, v1, db(v1), NO_TICK);
    target.executeBatch(v1, db(v1), "INSERT INTO notes (body) VALUES ('before v2')", NO_TICK);
    Files.writeString(project.resolve("migrations/0003_tags.sql"), "ALTER TABLE notes ADD COLUMN tags TEXT;\n");
    Files.writeString(project.resolve("migrations/0004_broken.sql"), "INSERT INTO no_such_table VALUES (1);\n");
    DeploymentPlan v2 = plan();
    long processes = ProcessRunner.started();

    Gate.run(target, v2, NO_TICK, 1);
    List<RestorePoint> points = target.checkpoint(v2, "run-1", NO_TICK);
    assertThat(target.checkpoint(v2, "run-1", NO_TICK)).as("a retry keeps its restore point").isEqualTo(points);
    try {
      ChecksumLedger.applyAndRecord(target, v2, db(v2), NO_TICK);
    } catch (MigrationFailedException expected) {
      assertThat(expected.failedFile()).isEqualTo("0004_broken.sql");
    }
    assertThat(target.inspect(v2, db(v2), NO_TICK).applied()).endsWith("0003_tags.sql");
    String restored = target.restore(v2, points.get(0), NO_TICK);

    assertThat(ProcessRunner.started() - processes).as("processes started").isZero();
    assertThat(points.get(0).location())
        .isEqualTo(workspace.checkpointsDir("hello-d1", "default").resolve("run-1/DB.sqlite").toString());
    assertThat(restored).startsWith("restored DB from ");
    DatabaseState after = target.inspect(v2, db(v2), NO_TICK);
    assertThat(after.applied()).containsExactly("0001_create_notes.sql", "0002_add_author.sql");
    assertThat(target.queryTable(v2, db(v2), "notes", "SELECT body FROM notes", NO_TICK))
        .hasValue(List.of(Map.of("body", "before v2")));
  }

  // ---- helpers ----

  private DeploymentPlan plan() {
    return plans.plan(new DeploymentRequest(project.toString(), "default", "local", "hello-d1", null, "test", false,
        List.of()), 1);
  }

  private static DatabasePlan db(DeploymentPlan plan) {
    return plan.databases().get(0);
  }

  private static Map<String, String> tree(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path file : walk.toList()) {
        files.put(dir.relativize(file).toString(),
            Files.isRegularFile(file) ? Checksums.sha256(Files.readAllBytes(file)) : "dir");
      }
    }
    return files;
  }
}
