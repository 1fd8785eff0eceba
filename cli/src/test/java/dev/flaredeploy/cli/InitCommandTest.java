package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flaredeploy.activities.config.LoadedProject;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.workflows.model.SmokeCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flaredeploy init} in-process on real-shaped wrangler projects: the file it writes loads for every
 * environment with what init said, and bad input changes nothing. (InitIT plans and deploys what it writes.)
 */
class InitCommandTest {
  @TempDir Path dir;

  private CliRunner.Result init(String... args) {
    return new InProcessCli(Map.of("PATH", System.getenv("PATH")), dir).run(prepend("init", args));
  }

  @Test
  void writesAFileThatLoadsForEveryEnvironmentOfTheOneDatabaseProject() throws Exception {
    Path project = WranglerProjectShapes.oneDatabase(dir.resolve("hello-d1"));

    CliRunner.Result result = init("hello-d1", "--port", "18787");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout()).contains("wrote " + project.resolve("flaredeploy.toml"), "default", "staging", "D1 DB");
    LoadedProject top = load(project, "default");
    LoadedProject staging = load(project, "staging");
    assertThat(top.smoke().checks()).containsExactly(new SmokeCheck("/", null, null, 500));
    assertThat(staging.smoke().checks()).isEqualTo(top.smoke().checks());
    assertThat(top.smoke().timeoutMillis()).isEqualTo(30_000);
    assertThat(top.target()).isEqualTo("local");
    assertThat(List.of(top.local().port(), staging.local().port())).doesNotHaveDuplicates().allMatch(p -> p >= 18787);
    assertThat(top.policy().configures("branches")).as("policies are suggestions, commented out").isFalse();
    assertThat(text(project)).contains("default (the top level): Worker hello-d1 (production-like)", "# [policy]",
        "# branches = [");
  }

  @Test
  void writesAFileThatLoadsForTheTwoDatabaseJsoncProjectWithProductionPolicySuggestions() throws Exception {
    Path project = WranglerProjectShapes.twoDatabases(dir.resolve("shop"));

    CliRunner.Result result = init("shop", "--output", "json");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    JsonNode json = result.json();
    assertThat(json.get("service").asText()).isEqualTo("shop");
    assertThat(json.get("wranglerConfig").asText()).endsWith("wrangler.jsonc");
    List<String> names = new ArrayList<>();
    Set<Integer> ports = new HashSet<>();
    json.get("environments").forEach(e -> {
      names.add(e.get("name").asText());
      ports.add(e.get("port").asInt());
    });
    assertThat(names).containsExactly("default", "production");
    assertThat(ports).hasSize(2);
    assertThat(json.at("/environments/1/databases").toString()).isEqualTo("[\"ORDERS\",\"CATALOG\"]");
    assertThat(json.at("/environments/1/productionLike").asBoolean()).isTrue();
    assertThat(json.at("/environments/0/productionLike").asBoolean()).isFalse();

    LoadedProject production = load(project, "production");
    assertThat(production.onDrift()).isEqualTo("fail");
    assertThat(production.policy().branches()).as("suggested, not active").isNull();
    assertThat(production.databases()).extracting(d -> d.binding() + " " + d.migrationsDir() + " " + d.migrationsTable())
        .containsExactly("ORDERS db/orders d1_migrations", "CATALOG db/catalog catalog_migrations");
    assertThat(load(project, "default").onDrift()).isEqualTo("warn");
    String text = text(project);
    assertThat(text).contains("[env.production.policy]", "# branches = [", "# clean_tree = true",
        "# [[env.production.policy.freeze]]", "CATALOG: database shop-catalog, migrations in db/catalog/",
        "no database_id: deploying to Cloudflare needs one");
  }

  @Test
  void writesAFileThatLoadsForTheWorkerWithoutADatabaseAndUsesTheHealthPathGiven() throws Exception {
    Path project = WranglerProjectShapes.noDatabase(dir.resolve("greeter"));

    CliRunner.Result result = init("greeter", "--health-path", "/ready");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(load(project, "default").smoke().checks()).containsExactly(new SmokeCheck("/ready", null, null));
    assertThat(load(project, "staging").databases()).isEmpty();
    assertThat(text(project)).contains("no D1 database", "Worker greeter-staging");
  }

  @Test
  void anEnvironmentWhoseNameIsNotABareTomlKeyIsQuoted() throws Exception {
    Path project = dir.resolve("eu");
    WranglerProjectShapes.write(project.resolve("wrangler.json"),
        "{\"name\": \"eu\", \"main\": \"index.js\", \"env\": {\"qa.eu\": {}, \"prod eu\": {}}}");
    WranglerProjectShapes.write(project.resolve("index.js"), "export default { fetch() { return new Response('eu'); } };");

    CliRunner.Result result = init("eu");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(text(project)).contains("[env.\"qa.eu\".local]", "[env.\"prod eu\".policy]");
    assertThat(load(project, "qa.eu").local().port()).isNotEqualTo(load(project, "prod eu").local().port());
    assertThat(load(project, "prod eu").onDrift()).isEqualTo("fail");
  }

  @Test
  void refusesToReplaceAnExistingFileUnlessForcedAndThenKeepsTheOldOne() throws Exception {
    Path project = WranglerProjectShapes.noDatabase(dir.resolve("greeter"));
    Files.writeString(project.resolve("flaredeploy.toml"), "# mine\n[local]\nport = 9999\n");

    CliRunner.Result refused = init("greeter");

    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.stderr().strip()).contains("flaredeploy.toml exists already", "--force", "nothing was written")
        .doesNotContain("\n");
    assertThat(Files.readString(project.resolve("flaredeploy.toml"))).isEqualTo("# mine\n[local]\nport = 9999\n");

    CliRunner.Result forced = init("greeter", "--force");

    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    assertThat(Files.readString(project.resolve("flaredeploy.toml.bak"))).isEqualTo("# mine\n[local]\nport = 9999\n");
    assertThat(text(project)).startsWith("# flaredeploy.toml for greeter");
  }

  @Test
  void aDirectoryWithoutAWranglerConfigIsRefusedNamingWhatWasLookedFor() throws Exception {
    Files.createDirectories(dir.resolve("empty"));

    CliRunner.Result result = init("./empty");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).contains("no wrangler config", "wrangler.json, wrangler.jsonc, wrangler.toml",
        "nothing was written");
    assertThat(result.stderr().strip().lines()).hasSize(1);
    assertThat(dir.resolve("empty")).isEmptyDirectory();
  }

  @Test
  void aWranglerConfigWithASyntaxErrorIsRefusedWithFileAndLine() throws Exception {
    Path toml = WranglerProjectShapes.noDatabase(dir.resolve("broken-toml"));
    Files.writeString(toml.resolve("wrangler.toml"), "name = \"greeter\"\nmain = \"src/worker.js\n");
    Path jsonc = WranglerProjectShapes.twoDatabases(dir.resolve("broken-jsonc"));
    Files.writeString(jsonc.resolve("wrangler.jsonc"), "{\n  \"name\": \"shop\",\n  \"main\" \"src/index.js\"\n}\n");

    CliRunner.Result fromToml = init("./broken-toml");
    CliRunner.Result fromJsonc = init("./broken-jsonc");

    assertThat(fromToml.exitCode()).isEqualTo(2);
    assertThat(fromToml.stderr()).startsWith("flaredeploy: wrangler.toml:2: not valid TOML").contains("nothing was written");
    assertThat(fromJsonc.exitCode()).isEqualTo(2);
    assertThat(fromJsonc.stderr()).startsWith("flaredeploy: wrangler.jsonc:3: not valid JSON");
    assertThat(toml.resolve("flaredeploy.toml")).doesNotExist();
    assertThat(jsonc.resolve("flaredeploy.toml")).doesNotExist();
  }

  @Test
  void badOptionsAndAMissingDirectoryAreOneLineOnStderrAndWriteNothing() throws Exception {
    Path project = WranglerProjectShapes.noDatabase(dir.resolve("greeter"));

    for (String[] args : List.of(new String[] {"greeter", "--forse"}, new String[] {"./missing"},
        new String[] {"greeter", "--health-path", "health"}, new String[] {"greeter", "--port", "70000"},
        new String[] {"greeter", "--git-hook", "prod"})) {
      CliRunner.Result result = init(args);
      assertThat(result.exitCode()).as(String.join(" ", args) + ": " + result).isEqualTo(2);
      assertThat(result.stderr().strip().lines()).as(result.stderr()).hasSize(1);
      assertThat(result.stdout()).isEmpty();
    }
    assertThat(project.resolve("flaredeploy.toml")).doesNotExist();
  }

  @Test
  void aFileThatCannotBeWrittenIsRefusedAndNothingIsLeft() throws Exception {
    Path project = WranglerProjectShapes.noDatabase(dir.resolve("greeter"));
    Files.createDirectories(project.resolve(".flaredeploy.toml.partial").resolve("in-the-way"));

    CliRunner.Result result = init("greeter");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).contains("cannot write", "nothing was written");
    assertThat(project.resolve("flaredeploy.toml")).doesNotExist();
  }

  @Test
  void writesAnExecutablePrePushHookThatPlansTheChosenEnvironment() throws Exception {
    Path repo = dir.resolve("repo");
    Path project = WranglerProjectShapes.oneDatabase(repo.resolve("apps/hello"));
    git(repo, "init", "-q");

    CliRunner.Result result = init("repo/apps/hello", "--git-hook", "staging");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    Path hook = repo.resolve(".git/hooks/pre-push");
    assertThat(Files.getPosixFilePermissions(hook)).contains(PosixFilePermission.OWNER_EXECUTE);
    assertThat(Files.readString(hook)).startsWith("#!/bin/sh\n")
        .contains("cd \"$(git rev-parse --show-toplevel)\"/'apps/hello' || exit 1", "plan . --env 'staging'");
    assertThat(project.resolve("flaredeploy.toml")).exists();

    Files.delete(project.resolve("flaredeploy.toml"));
    CliRunner.Result again = init("repo/apps/hello", "--git-hook", "staging");
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.stderr()).contains("pre-push exists already", "--force", "nothing was written");
    assertThat(project.resolve("flaredeploy.toml")).as("nothing was written").doesNotExist();
  }

  @Test
  void aHookOutsideGitIsRefusedBeforeAnythingIsWritten() throws Exception {
    Path project = WranglerProjectShapes.noDatabase(dir.resolve("greeter"));

    CliRunner.Result result = init("greeter", "--git-hook", "default");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).contains("not in a git repository", "nothing was written");
    assertThat(project.resolve("flaredeploy.toml")).doesNotExist();
  }

  // ---------------------------------------------------------------------------------------------------

  private static LoadedProject load(Path project, String environment) {
    return new ProjectConfigLoader().load(project, environment);
  }

  private static String text(Path project) throws IOException {
    return Files.readString(project.resolve("flaredeploy.toml"));
  }

  private static void git(Path dir, String... args) throws IOException {
    Files.createDirectories(dir);
    List<String> argv = new ArrayList<>(List.of("git", "-C", dir.toString()));
    argv.addAll(List.of(args));
    ProcessResult r = new ProcessRunner().run(argv, dir, Map.of(), Duration.ofSeconds(30), ProcessRunner.Tick.NONE);
    assertThat(r.exitCode()).as(r.diagnostics()).isZero();
  }

  private static String[] prepend(String first, String... rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
