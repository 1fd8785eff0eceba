package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code flaredeploy init} as a new user runs it, with the packaged CLI: on three real-shaped projects the file
 * it writes makes {@code plan} succeed for every environment; the smoke check it wrote passes on a real local
 * deployment; and the pre-push hook it installs stops a push that carries a migration that would not apply.
 */
class InitIT extends DevServerFixture {

  @Test
  void planSucceedsForEveryEnvironmentOfEachProjectShapeAfterInit() throws Exception {
    Map<Path, List<String>> projects = Map.of(
        WranglerProjectShapes.oneDatabase(home.resolve("shapes/hello-d1")), List.of("default", "staging"),
        WranglerProjectShapes.twoDatabases(home.resolve("shapes/shop")), List.of("default", "production"),
        WranglerProjectShapes.noDatabase(home.resolve("shapes/greeter")), List.of("default", "staging"));

    for (Map.Entry<Path, List<String>> project : projects.entrySet()) {
      CliRunner.Result init = cli.run("init", project.getKey().toString(), "--port", String.valueOf(CliRunner.freePort()));
      assertThat(init.exitCode()).as(init.toString()).isZero();
      for (String environment : project.getValue()) {
        CliRunner.Result plan = cli.run("plan", project.getKey().toString(), "--env", environment, "--output", "json");
        assertThat(plan.exitCode()).as(project.getKey() + " --env " + environment + ": " + plan).isZero();
        JsonNode json = plan.json();
        assertThat(json.get("proceeds").asBoolean()).isTrue();
        assertThat(json.at("/smoke/checks/0/path").asText()).isEqualTo("/");
        assertThat(json.at("/smoke/checks/0/expectStatusBelow").asInt()).isEqualTo(500);
      }
    }
  }

  @Test
  void theSmokeCheckInitWritesPassesOnARealLocalDeployment() throws Exception {
    Path project = WranglerProjectShapes.oneDatabase(home.resolve("deployed/hello-init"));
    LocalProjects.replace(project.resolve("wrangler.toml"), "name = \"hello-d1\"", "name = \"hello-init\"");
    CliRunner.Result init = cli.run("init", project.toString(), "--port", String.valueOf(CliRunner.freePort()),
        "--output", "json");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    int port = init.json().at("/environments/0/port").asInt();
    stopAfterwards("hello-init");

    CliRunner.Result deploy = cli.run("deploy", project.toString(), "--address", address, "--output", "json");

    assertThat(deploy.exitCode()).as(deploy.toString()).isZero();
    JsonNode report = deploy.json();
    assertThat(report.get("state").asText()).isEqualTo("SUCCEEDED");
    JsonNode smoke = null;
    for (JsonNode step : report.get("steps")) {
      if (step.get("name").asText().equals("smoke-test")) {
        smoke = step;
      }
    }
    assertThat(smoke).isNotNull();
    assertThat(smoke.get("detail").asText()).contains("GET / 200");
    assertThat(report.at("/release/url").asText()).isEqualTo("http://127.0.0.1:" + port);
    assertThat(CliRunner.get(port, "/").statusCode()).isEqualTo(200);
  }

  @Test
  void thePrePushHookStopsAPushWhoseMigrationWouldNotApply() throws Exception {
    Path repo = home.resolve("hooked");
    Path project = WranglerProjectShapes.oneDatabase(repo.resolve("app"));
    LocalProjects.replace(project.resolve("wrangler.toml"), "name = \"hello-d1\"", "name = \"hello-hooked\"");
    Path remote = home.resolve("hooked-remote.git");
    git(home, "init", "-q", "--bare", remote.toString());
    git(repo, "init", "-q", "-b", "main");
    git(repo, "remote", "add", "origin", remote.toString());
    CliRunner.Result init = cli.run("init", project.toString(), "--git-hook", "default", "--port",
        String.valueOf(CliRunner.freePort()));
    assertThat(init.exitCode()).as(init.toString()).isZero();
    git(repo, "add", "-A");
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "app");

    ProcessResult clean = push(repo);
    assertThat(clean.exitCode()).as(clean.diagnostics()).isZero();
    assertThat(clean.stderr()).contains("pre-push: flaredeploy plan --env default");

    Files.writeString(project.resolve("migrations/0003_tags.sql"), "CREATE TABLE tags (id INTEGER PRIMARY KEY,\n");
    git(repo, "add", "-A");
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "a broken migration");

    ProcessResult broken = push(repo);
    assertThat(broken.exitCode()).as(broken.diagnostics()).isNotZero();
    assertThat(broken.stdout() + broken.stderr()).contains("0003_tags.sql", "BLOCKED");
    assertThat(git(remote, "log", "--format=%s", "main").stdout().strip())
        .as("the broken migration never left the machine").isEqualTo("app");
  }

  // ---------------------------------------------------------------------------------------------------

  /** git push with the CLI's environment; the hook runs the packaged jar through FLAREDEPLOY. */
  private static ProcessResult push(Path repo) throws IOException {
    Path command = home.resolve("flaredeploy-jar");
    if (!Files.exists(command)) {
      Files.writeString(command, "#!/bin/sh\nexec java -jar '" + CliRunner.JAR + "' \"$@\"\n");
      Files.setPosixFilePermissions(command, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Map<String, String> env = new HashMap<>(cli.environment());
    env.put("FLAREDEPLOY", command.toString());
    return run(repo, env, "push", "-q", "origin", "main");
  }

  private static ProcessResult git(Path dir, String... args) throws IOException {
    Files.createDirectories(dir);
    ProcessResult result = run(dir, Map.of(), args);
    assertThat(result.exitCode()).as("git " + String.join(" ", args) + ": " + result.diagnostics()).isZero();
    return result;
  }

  private static ProcessResult run(Path dir, Map<String, String> env, String... args) {
    List<String> argv = new ArrayList<>(List.of("git", "-C", dir.toString()));
    argv.addAll(List.of(args));
    return new ProcessRunner().run(argv, dir, env, Duration.ofMinutes(3), ProcessRunner.Tick.NONE);
  }
}
