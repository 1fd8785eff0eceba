package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flaredeploy.activities.local.LocalWorkspace;
import dev.flaredeploy.cli.LocalProjects.Project;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The deployment as a user runs it: the packaged CLI, a {@code flaredeploy dev-server} process (with its
 * worker), real wrangler, real workerd, real SQLite. Each test deploys its own copy of the example under
 * its own service name and port.
 */
class DeployEndToEndIT extends DevServerFixture {
  @Test
  void freshDeployAppliesAllMigrationsAndServes() throws IOException {
    Project p = project("fresh");
    CliRunner.Result plan = cli.run("plan", p.dir().toString());
    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(plan.stdout()).contains("0001_create_notes.sql", "0002_add_author.sql");
    assertThat(new LocalWorkspace(home).environmentDir(p.service(), "default"))
        .as("plan of an environment never deployed creates nothing there: no state, database or working copy")
        .doesNotExist();

    CliRunner.Result result = deploy(p);

    assertThat(result.exitCode()).as(result.toString()).isZero();
    JsonNode report = result.json();
    assertThat(report.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(names(report.at("/databases/0/applied"))).containsExactly("0001_create_notes.sql", "0002_add_author.sql");
    assertThat(report.at("/release/url").asText()).isEqualTo("http://127.0.0.1:" + p.port());
    assertThat(names(report.get("steps"), "name"))
        .containsExactly("prepare", "validate-schema", "checkpoint", "apply-migrations", "deploy-worker", "smoke-test");
    var health = CliRunner.get(p.port(), "/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("healthy");
    assertThat(result.stderr()).contains("✓ apply-migrations");
  }

  @Test
  void redeployOfTheSameSourceIsANoOpAndANewMigrationAloneIsApplied() throws IOException {
    Project p = project("again");
    assertThat(deploy(p).exitCode()).isZero();

    CliRunner.Result again = deploy(p);

    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.json().get("summary").asText()).startsWith("nothing to do");
    assertThat(names(again.json().get("steps"), "name")).containsExactly("prepare", "validate-schema");

    Files.writeString(p.dir().resolve("migrations/0003_add_tags.sql"), "ALTER TABLE notes ADD COLUMN tags TEXT;\n");
    CliRunner.Result next = deploy(p);

    assertThat(next.exitCode()).as(next.toString()).isZero();
    assertThat(names(next.json().at("/databases/0/applied"))).containsExactly("0003_add_tags.sql");
    assertThat(CliRunner.get(p.port(), "/health").statusCode()).isEqualTo(200);
  }

  @Test
  void badMigrationAfterAGoodOneLeavesTheDatabaseExactlyAsBeforeAndTheOldReleaseServing() throws IOException {
    Project p = project("badsql");
    assertThat(deploy(p).exitCode()).isZero();
    assertThat(CliRunner.post(p.port(), "/notes", "{\"body\":\"keep me\",\"author\":\"ada\"}").statusCode()).isEqualTo(201);
    String before = export(p);
    String releaseBefore = cli.run("status", "deploy:local:" + p.service() + ":default", "--address", address,
        "--output", "json").json().at("/release/version").asText();
    Files.writeString(p.dir().resolve("src/index.js"),
        Files.readString(p.dir().resolve("src/index.js")).replace("try GET /health", "v2: try GET /health"));
    Files.writeString(p.dir().resolve("migrations/0003_tags.sql"), "CREATE TABLE tags (name TEXT PRIMARY KEY);\n");

    // plain bad SQL is caught in the shadow by validate-schema: nothing is touched
    Files.writeString(p.dir().resolve("migrations/0004_broken.sql"),
        "INSERT INTO tags (name) VALUES ('a');\nINSERT INTO no_such_table VALUES (1);\n");
    CliRunner.Result caught = deploy(p);
    assertThat(caught.exitCode()).as(caught.toString()).isEqualTo(2);
    assertThat(caught.json().at("/error/step").asText()).isEqualTo("validate-schema");
    assertThat(caught.json().at("/error/message").asText()).contains("0004_broken.sql", "no such table: no_such_table");
    assertThat(export(p)).isEqualTo(before);

    // valid SQLite that wrangler 4.86's own statement splitter breaks ("(CASE … END )" in a trigger):
    // the shadow accepts it, so it fails during the real apply, after 0003 was applied
    Files.delete(p.dir().resolve("migrations/0004_broken.sql"));
    Files.writeString(p.dir().resolve("migrations/0004_audit.sql"), """
        CREATE TABLE audit (id INTEGER PRIMARY KEY, note_id INTEGER, kind TEXT);
        CREATE TRIGGER notes_audit AFTER INSERT ON notes BEGIN
          INSERT INTO audit (note_id, kind) VALUES (NEW.id, (CASE WHEN NEW.author IS NULL THEN 'anon' ELSE 'named' END ));
        END;
        """);
    CliRunner.Result result = deploy(p);

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    JsonNode report = result.json();
    assertThat(report.get("state").asText()).isEqualTo("ROLLED_BACK");
    assertThat(report.at("/error/step").asText()).isEqualTo("apply-migrations");
    assertThat(report.at("/error/message").asText()).contains("0004_audit.sql", "applied before it", "0003_tags.sql");
    assertThat(export(p)).as("0003 was applied, then the database was restored").isEqualTo(before);
    assertThat(CliRunner.get(p.port(), "/notes").body()).contains("keep me");
    assertThat(CliRunner.get(p.port(), "/").body()).doesNotContain("v2:");
    JsonNode local = cli.run("local", "status", "--output", "json").json();
    JsonNode served = null;
    for (JsonNode row : local) {
      if (row.get("service").asText().equals(p.service())) {
        served = row;
      }
    }
    assertThat(served).isNotNull();
    assertThat(served.get("status").asText()).isEqualTo("SERVING");
    assertThat(served.get("version").asText()).isEqualTo(releaseBefore);

    CliRunner.Result history = cli.run("history", report.get("id").asText(), "--address", address);
    assertThat(history.exitCode()).as(history.toString()).isZero();
    assertThat(history.stdout()).contains("restore-database", "SUCCEEDED").doesNotContain("deploy-worker");
  }

  @Test
  void releaseWhoseHealthFailsIsRolledBackAndThePreviousOneServes() throws IOException {
    Project p = project("unhealthy");
    assertThat(deploy(p).exitCode()).isZero();

    Path index = p.dir().resolve("src/index.js");
    Files.writeString(index, Files.readString(index)
        .replace("if (url.pathname === \"/health\") {",
            "if (url.pathname === \"/health\") {\n      return new Response(\"broken\", { status: 500 });"));
    CliRunner.Result result = deploy(p);

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    JsonNode report = result.json();
    assertThat(report.get("state").asText()).isEqualTo("ROLLED_BACK");
    assertThat(report.at("/error/step").asText()).isEqualTo("smoke-test");
    assertThat(report.at("/error/message").asText()).contains("500");
    assertThat(names(report.get("steps"), "name")).contains("rollback-worker");
    var health = CliRunner.get(p.port(), "/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("healthy");
  }

  @Test
  void invalidProjectsExitTwoWithAClearMessageAndStartNothing() throws IOException {
    Project malformed = project("malformed");
    Files.writeString(malformed.dir().resolve("wrangler.toml"), "name = \"broken\nmain = 3\n");
    CliRunner.Result r1 = deploy(malformed);
    assertThat(r1.exitCode()).as(r1.toString()).isEqualTo(2);
    assertThat(r1.stderr()).contains("wrangler.toml:1");

    Project noEnv = project("noenv");
    CliRunner.Result r2 = cli.run("deploy", noEnv.dir().toString(), "--env", "nope", "--address", address);
    assertThat(r2.exitCode()).as(r2.toString()).isEqualTo(2);
    assertThat(r2.stderr()).contains("no environment \"nope\"", "staging");

    Project noBinding = project("nobinding");
    Path toml = noBinding.dir().resolve("wrangler.toml");
    Files.writeString(toml, Files.readString(toml).replaceFirst("binding = \"DB\"\n", ""));
    CliRunner.Result r3 = deploy(noBinding);
    assertThat(r3.exitCode()).as(r3.toString()).isEqualTo(2);
    assertThat(r3.stderr()).contains("binding");

    for (Project p : List.of(malformed, noEnv, noBinding)) {
      CliRunner.Result status = cli.run("status", "deploy:local:" + p.service() + ":default", "--address", address);
      assertThat(status.exitCode()).as("nothing was started for " + p.service() + ": " + status).isEqualTo(3);
    }
  }

  @Test
  void secondDeployOfTheSameEnvironmentWhileOneRunsIsRefusedAndCancelUndoesTheFirst() throws Exception {
    Project p = project("busy");
    assertThat(deploy(p).exitCode()).isZero();
    // a release that never gets healthy keeps the smoke test (and so the deployment) running
    Path index = p.dir().resolve("src/index.js");
    Files.writeString(index, Files.readString(index).replace("if (url.pathname === \"/health\") {",
        "if (url.pathname === \"/health\") {\n      return new Response(\"starting\", { status: 503 });"));
    Path smoke = p.dir().resolve("flaredeploy.toml");
    Files.writeString(smoke, Files.readString(smoke).replace("timeout = \"5s\"", "timeout = \"120s\""));
    String id = "deploy:local:" + p.service() + ":default";

    CliRunner.Result first = cli.run("deploy", p.dir().toString(), "--address", address, "--detach");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(first.stdout().strip()).isEqualTo(id);

    CliRunner.Result second = deploy(p);
    assertThat(second.exitCode()).as(second.toString()).isEqualTo(3);
    assertThat(second.stderr()).contains("already running", id);

    waitForStep(id, "smoke-test");
    CliRunner.Result cancel = cli.run("cancel", id, "--address", address, "--output", "json");
    assertThat(cancel.exitCode()).as(cancel.toString()).isZero();
    assertThat(cancel.json().get("state").asText()).isEqualTo("CANCELLED");
    var health = CliRunner.get(p.port(), "/health");
    assertThat(health.statusCode()).as("the release from before the cancelled deployment serves").isEqualTo(200);

    CliRunner.Result list = cli.run("list", "--service", p.service(), "--address", address, "--output", "json");
    assertThat(list.exitCode()).as(list.toString()).isZero();
    assertThat(names(list.json(), "state")).containsExactly("CANCELLED", "SUCCEEDED");
  }

  @Test
  void withoutAServerTheDeploymentRunsEmbeddedAndAnInterruptUndoesIt() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeFalse(CliRunner.listening(7233),
        "something listens on 127.0.0.1:7233, so deploy would use it rather than run embedded");
    Project p = project("embedded");
    CliRunner.Result embedded = cli.run("deploy", p.dir().toString(), "--output", "json");
    assertThat(embedded.exitCode()).as(embedded.toString()).isZero();
    assertThat(embedded.stderr()).contains("No Temporal server at 127.0.0.1:7233", "in-process");
    assertThat(CliRunner.get(p.port(), "/health").statusCode()).isEqualTo(200);
    String before = export(p);

    // a migration that takes seconds (the local target applies in milliseconds otherwise), so the interrupt
    // lands while it applies
    Files.writeString(p.dir().resolve("migrations/0003_more.sql"), """
        CREATE TABLE more (id INTEGER PRIMARY KEY, v TEXT);
        WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 3000000)
        INSERT INTO more (v) SELECT hex(randomblob(16)) FROM s;
        """);
    Path err = home.resolve("embedded-interrupted.err");
    Process deploy = cli.command("deploy", p.dir().toString())
        .redirectOutput(home.resolve("embedded-interrupted.out").toFile())
        .redirectError(err.toFile())
        .start();
    // deploy-worker takes seconds (wrangler dev starts), so progress shows it running: apply-migrations is too
    // quick for the progress poll to be sure of seeing it; a cancel then restores the database too
    for (int i = 0; i < 240 && !Files.readString(err).contains("… deploy-worker"); i++) {
      Thread.sleep(250);
    }
    deploy.destroy(); // SIGTERM, as a closing terminal or CI runner sends
    assertThat(deploy.waitFor(3, TimeUnit.MINUTES)).isTrue();

    assertThat(Files.readString(err)).contains("interrupted: cancelling", "restore-database");
    assertThat(export(p)).as("the database is as it was before the interrupted deployment").isEqualTo(before);
    assertThat(CliRunner.get(p.port(), "/health").statusCode()).isEqualTo(200);
  }

  @Test
  void planAndDeployAgreeThatADestructiveMigrationBlocksUntilAllowed() throws IOException {
    Project p = project("destructive");
    assertThat(deploy(p).exitCode()).isZero();
    Files.writeString(p.dir().resolve("migrations/0003_drop_author.sql"),
        "DROP INDEX notes_by_author;\nALTER TABLE notes DROP COLUMN author;\n");
    String before = export(p);

    CliRunner.Result plan = cli.run("plan", p.dir().toString(), "--output", "json");
    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
    assertThat(plan.json().get("proceeds").asBoolean()).isFalse();
    JsonNode migrations = check(plan.json(), "migrations");
    assertThat(migrations.get("outcome").asText()).isEqualTo("blocked");
    assertThat(migrations.at("/findings/0/subject").asText()).isEqualTo("0003_drop_author.sql");
    assertThat(migrations.at("/findings/0/code").asText()).isEqualTo("DESTRUCTIVE");

    CliRunner.Result blocked = deploy(p);
    assertThat(blocked.exitCode()).as(blocked.toString()).isEqualTo(2);
    assertThat(blocked.json().at("/error/type").asText()).isEqualTo("MigrationUnsafe");
    assertThat(blocked.json().at("/error/message").asText()).contains("notes.author", "--allow-destructive");
    assertThat(export(p)).as("nothing changed").isEqualTo(before);

    CliRunner.Result allowedPlan = cli.run("plan", p.dir().toString(), "--allow-destructive");
    assertThat(allowedPlan.exitCode()).as(allowedPlan.toString()).isZero();
    CliRunner.Result allowed = cli.run("deploy", p.dir().toString(), "--address", address, "--allow-destructive",
        "--output", "json");
    assertThat(allowed.exitCode()).as(allowed.toString()).isZero();
    assertThat(names(allowed.json().at("/databases/0/applied"))).containsExactly("0003_drop_author.sql");
  }

  @Test
  void aColumnAddedByHandIsDriftInPlanWithNothingPendingAndBlocksWhenPolicySaysSo() throws IOException {
    Project p = project("drift");
    assertThat(deploy(p).exitCode()).isZero();
    execute(p, "ALTER TABLE notes ADD COLUMN priority INTEGER");

    CliRunner.Result warned = cli.run("plan", p.dir().toString(), "--output", "json");
    CliRunner.Result text = cli.run("plan", p.dir().toString());

    assertThat(warned.exitCode()).as(warned.toString()).isZero();
    assertThat(warned.json().get("nothingToDo").asBoolean()).as("nothing pending, this source is live").isTrue();
    JsonNode drift = check(warned.json(), "drift");
    assertThat(drift.get("outcome").asText()).isEqualTo("warned");
    assertThat(names(drift.get("findings"), "message")).containsExactly(
        "DB: column notes.priority exists in the live database but no applied migration creates it");
    assertThat(text.stdout()).contains("! drift", "column notes.priority exists in the live database",
        "nothing to do");
    // with the release stopped, nothing else has the database open (a serving workerd checkpoints it when idle)
    assertThat(cli.run("local", "stop", p.dir().toString()).exitCode()).isZero();
    var files = projects.databaseFiles(p);
    CliRunner.Result again = cli.run("plan", p.dir().toString(), "--output", "json");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(check(again.json(), "drift").get("outcome").asText()).isEqualTo("warned");
    assertThat(projects.databaseFiles(p)).as("plan changed nothing, byte for byte").isEqualTo(files);

    Path fd = p.dir().resolve("flaredeploy.toml");
    Files.writeString(fd, Files.readString(fd) + "\n[policy]\non_drift = \"fail\"\n");
    CliRunner.Result plan = cli.run("plan", p.dir().toString());
    CliRunner.Result deploy = deploy(p);
    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
    assertThat(deploy.exitCode()).as(deploy.toString()).isEqualTo(2);
    assertThat(deploy.json().at("/error/message").asText()).contains("drift", "notes.priority");
  }

  @Test
  void aUniqueIndexOverDuplicatedRowsIsRefusedByPlanAndDeployBeforeAnythingChanges() throws IOException {
    Project p = project("dupes");
    assertThat(deploy(p).exitCode()).isZero();
    for (String body : List.of("first private note", "second private note")) {
      assertThat(CliRunner.post(p.port(), "/notes", "{\"body\":\"" + body + "\",\"author\":\"ada\"}").statusCode())
          .isEqualTo(201);
    }
    Files.writeString(p.dir().resolve("migrations/0003_one_note_per_author.sql"),
        "CREATE UNIQUE INDEX notes_one_per_author ON notes(author);\n");
    // with the release stopped, nothing else has the database open (a serving workerd checkpoints it when idle)
    assertThat(cli.run("local", "stop", p.dir().toString()).exitCode()).isZero();
    var files = projects.databaseFiles(p);
    assertThat(files).as("the database file is where the test looks").isNotEmpty();

    CliRunner.Result plan = cli.run("plan", p.dir().toString());
    CliRunner.Result json = cli.run("plan", p.dir().toString(), "--output", "json");

    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
    assertThat(plan.stdout()).contains("✗ data", "0003_one_note_per_author.sql",
        "unique index notes_one_per_author on notes(author)", "author = 'ada' (2 rows)", "BLOCKED")
        .doesNotContain("private note");
    JsonNode data = check(json.json(), "data");
    assertThat(data.get("failureType").asText()).isEqualTo("DataConflict");
    assertThat(names(data.at("/findings/0/details"))).containsExactly("author = 'ada' (2 rows)");
    assertThat(projects.databaseFiles(p)).as("plan changed nothing, byte for byte").isEqualTo(files);

    CliRunner.Result blocked = deploy(p);

    assertThat(blocked.exitCode()).as(blocked.toString()).isEqualTo(2);
    assertThat(blocked.json().at("/error/step").asText()).isEqualTo("validate-schema");
    assertThat(blocked.json().at("/error/type").asText()).isEqualTo("DataConflict");
    assertThat(blocked.json().at("/error/message").asText())
        .contains("0003_one_note_per_author.sql", "author = 'ada' (2 rows)").doesNotContain("private note");
    assertThat(names(blocked.json().get("checks"), "check")).contains("data");
    assertThat(projects.databaseFiles(p)).as("deploy changed nothing, byte for byte").isEqualTo(files);
  }

  /** One check's result in {@code plan --output json}. */
  static JsonNode check(JsonNode plan, String name) {
    for (JsonNode check : plan.get("checks")) {
      if (check.get("check").asText().equals(name)) {
        return check;
      }
    }
    throw new AssertionError("no check " + name + " in " + plan);
  }

  @Test
  void commandsAgainstAnAddressThatDoesNotAnswerExitFour() {
    CliRunner.Result r = cli.run("status", "deploy:local:x:default", "--address", "127.0.0.1:" + CliRunner.freePort());
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
    assertThat(r.stderr()).contains("no Temporal server answered");
  }

  // ---------------------------------------------------------------------------------------------

  /** A copy of examples/hello-d1 named hello-<suffix>, served on its own port, with a short smoke timeout. */
  static Project project(String suffix) throws IOException {
    Project p = projects.copy("hello-" + suffix);
    stopAfterwards(p.service());
    return p;
  }

  static CliRunner.Result deploy(Project p) {
    return cli.run("deploy", p.dir().toString(), "--address", address, "--output", "json");
  }

  static String export(Project p) throws IOException {
    return projects.export(p);
  }

  static void execute(Project p, String sql) {
    projects.execute(p, sql);
  }

  void waitForStep(String id, String step) throws InterruptedException {
    for (int i = 0; i < 240; i++) {
      JsonNode status = cli.run("status", id, "--address", address, "--output", "json").json();
      for (JsonNode s : status.get("steps")) {
        if (s.get("name").asText().equals(step) && s.get("state").asText().equals("RUNNING")) {
          return;
        }
      }
      Thread.sleep(500);
    }
    throw new AssertionError(id + " never reached " + step);
  }

  static List<String> names(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static List<String> names(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.get(field).asText()));
    return out;
  }
}
