package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.cli.LocalProjects.Project;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Migration safety as a user meets it, where {@code plan} and {@code deploy} must agree: an applied
 * migration edited or removed afterwards blocks both until {@code migrations accept}; a per-migration
 * allowance in flaredeploy.toml lets one destructive migration through and not another; a syntax error
 * deep in a migration is caught in the shadow with the database untouched; a table rebuild is recognised.
 * The packaged CLI, a {@code flaredeploy dev-server} process with its worker, real wrangler and SQLite.
 */
class MigrationChecksumsIT extends DevServerFixture {
  private static final String M1 = "0001_create_notes.sql";
  private static final String M2 = "0002_add_author.sql";

  @Test
  void anEditedAppliedMigrationBlocksPlanAndDeployUntilTheEditIsAccepted() throws IOException {
    Project p = project("edited");
    assertThat(deploy(p).exitCode()).isZero();
    Path m1 = p.file("migrations/" + M1);
    Files.writeString(m1, Files.readString(m1).replace("body TEXT NOT NULL", "body TEXT NOT NULL DEFAULT ''"));
    String before = projects.export(p);

    CliRunner.Result plan = plan(p);
    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
    assertThat(plan.json().get("proceeds").asBoolean()).isFalse();
    JsonNode problem = DeployEndToEndIT.check(plan.json(), "checksums").at("/findings/0");
    String current = Checksums.sha256(Files.readAllBytes(m1));
    assertThat(problem.get("subject").asText()).isEqualTo(M1);
    assertThat(problem.get("code").asText()).isEqualTo("EDITED");
    assertThat(problem.get("message").asText()).contains("sha256 ", current.substring(0, 12) + " now", " UTC)");
    assertThat(plan.json().get("blockedBecause").asText())
        .contains("DB " + M1 + " was edited after it was applied", "flaredeploy migrations accept");

    CliRunner.Result deploy = deploy(p);
    assertThat(deploy.exitCode()).as(deploy.toString()).isEqualTo(2);
    assertThat(deploy.json().at("/error/step").asText()).isEqualTo("validate-schema");
    assertThat(deploy.json().at("/error/type").asText()).isEqualTo("MigrationUnsafe");
    assertThat(deploy.json().at("/error/message").asText()).contains(M1, current.substring(0, 12));
    assertThat(projects.export(p)).as("nothing changed").isEqualTo(before);

    CliRunner.Result listed = accept(p);
    assertThat(listed.exitCode()).as("lists, accepts nothing: " + listed).isEqualTo(2);
    assertThat(listed.stdout()).contains(M1);
    assertThat(listed.stderr()).contains("name the files to accept");
    CliRunner.Result noReason = accept(p, M1);
    assertThat(noReason.exitCode()).as(noReason.toString()).isEqualTo(2);
    assertThat(noReason.stderr()).contains("--reason is required");
    CliRunner.Result noProblem = accept(p, "--reason", "x", M2);
    assertThat(noProblem.exitCode()).as(noProblem.toString()).isEqualTo(2);
    assertThat(noProblem.stderr()).contains(M2 + " has no checksum problem", "nothing was accepted");
    assertThat(plan(p).exitCode()).as("still blocked").isEqualTo(2);

    CliRunner.Result accepted = accept(p, "--reason", "a default changes no existing row", M1);
    assertThat(accepted.exitCode()).as(accepted.toString()).isZero();
    assertThat(accepted.stdout()).contains("accepted DB " + M1, "a default changes no existing row");
    JsonNode row = projects.query(p, "SELECT sha256, accepted_reason, accepted_by FROM flaredeploy_migration_checksums"
        + " WHERE name = '" + M1 + "'").get(0);
    assertThat(row.get("sha256").asText()).isEqualTo(current);
    assertThat(row.get("accepted_reason").asText()).isEqualTo("a default changes no existing row");
    assertThat(row.get("accepted_by").asText()).contains("@");

    CliRunner.Result planAfter = plan(p);
    assertThat(planAfter.exitCode()).as(planAfter.toString()).isZero();
    assertThat(DeployEndToEndIT.check(planAfter.json(), "checksums").get("findings")).isEmpty();
    CliRunner.Result deployAfter = deploy(p);
    assertThat(deployAfter.exitCode()).as(deployAfter.toString()).isZero();
  }

  @Test
  void aVanishedMigrationBlocksPlanAndDeployUntilItsRemovalIsAccepted() throws IOException {
    Project p = project("vanished");
    assertThat(deploy(p).exitCode()).isZero();
    Files.delete(p.file("migrations/" + M2));
    String before = projects.export(p);

    CliRunner.Result plan = plan(p);
    CliRunner.Result deploy = deploy(p);

    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
    assertThat(DeployEndToEndIT.check(plan.json(), "checksums").at("/findings/0/code").asText()).isEqualTo("VANISHED");
    assertThat(DeployEndToEndIT.check(plan.json(), "checksums").at("/findings/0/subject").asText()).isEqualTo(M2);
    assertThat(deploy.exitCode()).as(deploy.toString()).isEqualTo(2);
    assertThat(deploy.json().at("/error/message").asText()).contains("DB " + M2 + " was applied", "no longer exists");
    assertThat(projects.export(p)).as("nothing changed").isEqualTo(before);

    CliRunner.Result accepted = accept(p, "--reason", "folded into 0001 for new databases", M2);
    assertThat(accepted.exitCode()).as(accepted.toString()).isZero();

    assertThat(plan(p).exitCode()).isZero();
    CliRunner.Result deployAfter = deploy(p);
    assertThat(deployAfter.exitCode()).as(deployAfter.toString()).isZero();
  }

  @Test
  void anAllowanceLetsItsDropColumnThroughInPlanAndDeployWhileAnotherDestructiveFileStillBlocks() throws IOException {
    Project p = project("allowed");
    assertThat(deploy(p).exitCode()).isZero();
    Files.writeString(p.file("migrations/0003_drop_author.sql"),
        "DROP INDEX notes_by_author;\nALTER TABLE notes DROP COLUMN author;\n");
    Files.writeString(p.file("migrations/0004_drop_created_at.sql"), "ALTER TABLE notes DROP COLUMN created_at;\n");
    Files.writeString(p.file("flaredeploy.toml"), Files.readString(p.file("flaredeploy.toml"))
        + "\n[[migrations.allow]]\nfile = \"0003_drop_author.sql\"\nreason = \"no release reads author any more\"\n");
    String before = projects.export(p);

    CliRunner.Result plan = plan(p);
    CliRunner.Result deploy = deploy(p);

    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
    JsonNode checks = DeployEndToEndIT.check(plan.json(), "migrations").get("findings");
    assertThat(checks.get(0).get("subject").asText()).isEqualTo("0003_drop_author.sql");
    assertThat(checks.get(0).get("code").asText()).isEqualTo("DESTRUCTIVE");
    assertThat(checks.get(0).get("severity").asText()).isEqualTo("warning");
    assertThat(checks.get(0).get("message").asText()).contains("no release reads author any more");
    assertThat(checks.get(1).get("subject").asText()).isEqualTo("0004_drop_created_at.sql");
    assertThat(checks.get(1).get("severity").asText()).isEqualTo("error");
    assertThat(plan.json().at("/allowances/0/reason").asText()).isEqualTo("no release reads author any more");
    assertThat(deploy.exitCode()).as(deploy.toString()).isEqualTo(2);
    assertThat(deploy.json().at("/error/message").asText())
        .contains("0004_drop_created_at.sql", "--allow-destructive").doesNotContain("0003_drop_author.sql:");
    assertThat(projects.export(p)).as("nothing changed").isEqualTo(before);

    Files.delete(p.file("migrations/0004_drop_created_at.sql"));
    CliRunner.Result allowedPlan = cli.run("plan", p.dir().toString());
    CliRunner.Result allowed = deploy(p);

    assertThat(allowedPlan.exitCode()).as(allowedPlan.toString()).isZero();
    assertThat(allowedPlan.stdout()).contains("DB 0003_drop_author.sql: DESTRUCTIVE, allowed by [[migrations.allow]]"
        + " in flaredeploy.toml: no release reads author any more");
    assertThat(allowed.exitCode()).as(allowed.toString()).isZero();
    assertThat(DeployEndToEndIT.names(allowed.json().at("/databases/0/applied"))).containsExactly("0003_drop_author.sql");
    assertThat(stepDetail(allowed.json(), "validate-schema"))
        .contains("DB 0003_drop_author.sql: DESTRUCTIVE, allowed by [[migrations.allow]]",
            "no release reads author any more");
    assertThat(projects.query(p, "SELECT name FROM pragma_table_info('notes') WHERE name = 'author'")).isEmpty();
  }

  @Test
  void aSyntaxErrorInTheThirdStatementIsCaughtInTheShadowAndTheDatabaseIsByteForByteUnchanged() throws IOException {
    Project p = project("syntax");
    assertThat(deploy(p).exitCode()).isZero();
    assertThat(CliRunner.post(p.port(), "/notes", "{\"body\":\"keep me\",\"author\":\"ada\"}").statusCode()).isEqualTo(201);
    Files.writeString(p.file("migrations/0003_tags.sql"), """
        CREATE TABLE tags (name TEXT PRIMARY KEY);
        INSERT INTO tags (name) VALUES ('first');
        CREAT INDEX tags_by_name ON tags (name);
        """);
    String before = projects.export(p);

    CliRunner.Result plan = plan(p);
    CliRunner.Result deploy = deploy(p);

    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
    JsonNode failed = DeployEndToEndIT.check(plan.json(), "migrations").at("/findings/0");
    assertThat(failed.get("code").asText()).isEqualTo("FAILS");
    assertThat(failed.get("message").asText()).contains("0003_tags.sql", "syntax error");
    assertThat(deploy.exitCode()).as(deploy.toString()).isEqualTo(2);
    assertThat(deploy.json().at("/error/step").asText()).isEqualTo("validate-schema");
    assertThat(deploy.json().at("/error/message").asText()).contains("0003_tags.sql", "at statement 3 of 3", "CREAT", "syntax error");
    assertThat(projects.export(p)).as("byte for byte as before").isEqualTo(before);
    assertThat(CliRunner.get(p.port(), "/notes").body()).contains("keep me");
  }

  @Test
  void aTableRebuildIsRecognisedByPlanAndDeployAndGoesThrough() throws IOException {
    Project p = project("rebuild");
    assertThat(deploy(p).exitCode()).isZero();
    Files.writeString(p.file("migrations/0003_rebuild_notes.sql"), """
        CREATE TABLE notes_new (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          body TEXT NOT NULL CHECK (length(body) > 0),
          created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
          author TEXT
        );
        INSERT INTO notes_new (id, body, created_at, author) SELECT id, body, created_at, author FROM notes;
        DROP TABLE notes;
        ALTER TABLE notes_new RENAME TO notes;
        CREATE INDEX notes_by_author ON notes (author);
        """);

    CliRunner.Result plan = plan(p);
    CliRunner.Result deploy = deploy(p);

    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(DeployEndToEndIT.check(plan.json(), "migrations").at("/findings/0/code").asText())
        .isEqualTo("TABLE_REBUILD");
    assertThat(deploy.exitCode()).as(deploy.toString()).isZero();
    assertThat(stepDetail(deploy.json(), "validate-schema")).contains("0003_rebuild_notes.sql TABLE_REBUILD");
  }

  @Test
  void acceptIsRefusedWhileADeploymentOfTheEnvironmentRuns() throws Exception {
    Project p = project("busy");
    assertThat(deploy(p).exitCode()).isZero();
    // a release that never gets healthy keeps the deployment in smoke-test
    Path index = p.file("src/index.js");
    Files.writeString(index, Files.readString(index).replace("if (url.pathname === \"/health\") {",
        "if (url.pathname === \"/health\") {\n      return new Response(\"starting\", { status: 503 });"));
    LocalProjects.replace(p.file("flaredeploy.toml"), "timeout = \"5s\"", "timeout = \"120s\"");
    CliRunner.Result started = cli.run("deploy", p.dir().toString(), "--address", address, "--detach");
    assertThat(started.exitCode()).as(started.toString()).isZero();
    waitForStep(p.id(), "smoke-test");

    CliRunner.Result refused = accept(p, "--reason", "x", M1);

    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);
    assertThat(refused.stderr()).contains("is running: " + p.id(), "nothing was accepted");
    assertThat(cli.run("cancel", p.id(), "--address", address).exitCode()).isZero();
  }

  // ---------------------------------------------------------------------------------------------

  static Project project(String suffix) throws IOException {
    Project p = projects.copy("cs-" + suffix);
    stopAfterwards(p.service());
    return p;
  }

  static CliRunner.Result deploy(Project p) {
    return cli.run("deploy", p.dir().toString(), "--address", address, "--output", "json");
  }

  static CliRunner.Result plan(Project p) {
    return cli.run("plan", p.dir().toString(), "--output", "json");
  }

  static CliRunner.Result accept(Project p, String... args) {
    List<String> argv = new ArrayList<>(List.of("migrations", "accept", p.dir().toString(), "--address", address));
    argv.addAll(List.of(args));
    return cli.run(argv.toArray(String[]::new));
  }

  static String stepDetail(JsonNode report, String step) {
    for (JsonNode s : report.get("steps")) {
      if (s.get("name").asText().equals(step)) {
        return s.get("detail").asText();
      }
    }
    throw new AssertionError("no step " + step + " in " + report);
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
}
