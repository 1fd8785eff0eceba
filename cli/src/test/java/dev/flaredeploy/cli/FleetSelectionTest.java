package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code deploy DIR... --env NAME|GLOB...} selects, and the bad selections that exit 2 before anything
 * starts. No Temporal: the selection is resolved and checked before the CLI connects.
 */
class FleetSelectionTest {
  @TempDir Path dir;

  @Test
  void aGlobSelectsTheMatchingEnvironmentsInTheOrderOfTheWranglerConfig() throws IOException {
    Path shop = project("shop", "tenant-b", "staging", "tenant-a", "tenant-c");

    FleetSelection selection = resolve(List.of(shop.toString()), List.of("tenant-*"));

    assertThat(names(selection)).containsExactly("shop (tenant-b)", "shop (tenant-a)", "shop (tenant-c)");
    assertThat(selection.id()).isEqualTo("fleet:local:shop:tenant-*");
    assertThat(selection.text()).isEqualTo("shop --env tenant-*");
    assertThat(selection.after()).allSatisfy(after -> assertThat(after).isEmpty());
  }

  @Test
  void defaultNamesTheTopLevelAndAStarTakesItIn() throws IOException {
    Path shop = project("shop", "staging");

    assertThat(names(resolve(List.of(shop.toString()), List.of("*")))).containsExactly("shop (default)",
        "shop (staging)");
    assertThat(names(resolve(List.of(shop.toString()), List.of("default", "staging")))).containsExactly(
        "shop (default)", "shop (staging)");
  }

  @Test
  void directoriesDeployInTheOrderGivenAndTheFleetIdIsTheSameWhateverTheOrder() throws IOException {
    Path web = project("web", "production");
    Path api = project("api", "production");

    FleetSelection given = resolve(List.of(web.toString(), api.toString()), List.of("production"));
    FleetSelection reversed = resolve(List.of(api.toString(), web.toString()), List.of("production"));

    assertThat(names(given)).containsExactly("web (production)", "api (production)");
    assertThat(given.id()).isEqualTo("fleet:local:api+web:production").isEqualTo(reversed.id());
  }

  @Test
  void aWorkerThatBindsAnotherOfTheFleetComesAfterItAndWaitsForIt() throws IOException {
    Path web = project("web", "production");
    Path api = project("api", "production");
    Path jobs = project("jobs", "production");
    append(web, """
        [[env.production.services]]
        binding = "API"
        service = "api-production"
        """);

    FleetSelection selection = resolve(List.of(web.toString(), jobs.toString(), api.toString()),
        List.of("production"));

    assertThat(names(selection)).containsExactly("jobs (production)", "api (production)", "web (production)");
    assertThat(selection.after()).containsExactly(List.of(), List.of(), List.of(1));
  }

  @Test
  void serviceBindingsInACycleExitTwo() throws IOException {
    Path a = project("a", "production");
    Path b = project("b", "production");
    append(a, "[[env.production.services]]\nbinding = \"B\"\nservice = \"b-production\"\n");
    append(b, "[[env.production.services]]\nbinding = \"A\"\nservice = \"a-production\"\n");

    assertInvalid(() -> resolve(List.of(a.toString(), b.toString()), List.of("production")),
        "a (production), b (production) form a cycle");
  }

  @Test
  void aGlobThatMatchesNothingExitsTwo() throws IOException {
    Path shop = project("shop", "staging");

    assertInvalid(() -> resolve(List.of(shop.toString()), List.of("tenant-*")),
        "--env tenant-* matches no environment", "nothing was started");
  }

  @Test
  void aDirectoryWithoutAWranglerConfigExitsTwo() throws IOException {
    Path shop = project("shop", "staging");
    Path empty = Files.createDirectories(dir.resolve("empty"));

    assertInvalid(() -> resolve(List.of(shop.toString(), empty.toString()), List.of("staging")),
        "no wrangler config in " + empty);
  }

  @Test
  void thePairTwiceExitsTwo() throws IOException {
    Path shop = project("shop", "tenant-a", "tenant-b");
    Path copy = project("shop-copy", "tenant-a");
    Files.writeString(copy.resolve("wrangler.toml"), Files.readString(copy.resolve("wrangler.toml"))
        .replace("name = \"shop-copy\"", "name = \"shop\""));

    assertInvalid(() -> resolve(List.of(shop.toString(), shop.toString()), List.of("tenant-*")),
        "shop (tenant-a) is selected twice");
    assertInvalid(() -> resolve(List.of(shop.toString()), List.of("tenant-a", "tenant-*")),
        "--env tenant-a and --env tenant-* both select tenant-a");
    assertInvalid(() -> resolve(List.of(shop.toString(), copy.toString()), List.of("tenant-a")),
        "shop (tenant-a) is selected twice", copy.toString());
  }

  @Test
  void anEnvironmentNamedThatADirectoryLacksExitsTwoAsForOneDeployment() throws IOException {
    Path web = project("web", "production");
    Path api = project("api", "staging");

    assertInvalid(() -> resolve(List.of(web.toString(), api.toString()), List.of("production")),
        "no environment \"production\"");
  }

  @Test
  void membersOnDifferentTargetsExitTwoUnlessTargetChoosesOne() throws IOException {
    Path web = project("web", "production");
    Path api = project("api", "production");
    Files.writeString(api.resolve("flaredeploy.toml"), "target = \"cloudflare\"\n");

    assertInvalid(() -> resolve(List.of(web.toString(), api.toString()), List.of("production")),
        "deploys to local and cloudflare", "--target");
    assertThat(FleetSelection.resolve(List.of(web.toString(), api.toString()), List.of("production"), "local", null,
        false, List.of(), dir, new PrintWriter(new StringWriter())).target()).isEqualTo("local");
  }

  @Test
  void fleetParallelComesFromTheFirstDirectorysFlaredeployToml() throws IOException {
    Path shop = project("shop", "tenant-a", "tenant-b");
    Files.writeString(shop.resolve("flaredeploy.toml"), "[fleet]\nparallel = 3\n");

    assertThat(resolve(List.of(shop.toString()), List.of("tenant-*")).parallel()).isEqualTo(3);
  }

  @Test
  void deployOfABadSelectionExitsTwoBeforeConnectingToTemporal() throws IOException {
    Path shop = project("shop", "staging");
    InProcessCli cli = new InProcessCli(Map.of("FLAREDEPLOY_HOME", dir.resolve("home").toString()), dir);

    CliRunner.Result noMatch = cli.run("deploy", shop.toString(), "--env", "tenant-*", "--address", "127.0.0.1:1");
    CliRunner.Result badParallel = cli.run("deploy", shop.toString(), "--env", "default,staging", "--parallel", "0",
        "--address", "127.0.0.1:1");

    assertThat(noMatch.exitCode()).as(noMatch.toString()).isEqualTo(2);
    assertThat(noMatch.stderr()).contains("matches no environment");
    assertThat(badParallel.exitCode()).as(badParallel.toString()).isEqualTo(2);
    assertThat(badParallel.stderr()).contains("--parallel must be at least 1");
  }

  @Test
  void deployOfSeveralDirectoriesGetsPastTheChecksAndThenNeedsTemporal() throws IOException {
    Path web = project("web", "production");
    Path api = project("api", "production");
    InProcessCli cli = new InProcessCli(Map.of("FLAREDEPLOY_HOME", dir.resolve("home").toString()), dir);

    CliRunner.Result result = cli.run("deploy", web.toString(), api.toString(), "--env", "production",
        "--address", "127.0.0.1:1");

    assertThat(result.exitCode()).as("the selection is fine; the server is not there").as(result.toString())
        .isEqualTo(ExitCode.UNAVAILABLE);
  }

  // ---- helpers ----

  private FleetSelection resolve(List<String> directories, List<String> environments) {
    return FleetSelection.resolve(directories, environments, null, null, false, List.of(), dir,
        new PrintWriter(new StringWriter()));
  }

  private static void assertInvalid(Runnable selection, String... messageParts) {
    CliException e = catchThrowableOfType(CliException.class, selection::run);
    assertThat(e).as("exit 2").isNotNull();
    assertThat(e.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(e.getMessage()).contains(messageParts);
  }

  private static List<String> names(FleetSelection selection) {
    return selection.members().stream().map(FleetSelection::name).toList();
  }

  /** A Worker named {@code service} with one D1 database per environment. */
  private Path project(String service, String... environments) throws IOException {
    Path project = Files.createDirectories(dir.resolve(service));
    Files.createDirectories(project.resolve("src"));
    Files.writeString(project.resolve("src/index.js"), "export default { fetch() { return new Response('ok'); } };\n");
    StringBuilder toml = new StringBuilder("name = \"" + service + "\"\nmain = \"src/index.js\"\n"
        + "[[d1_databases]]\nbinding = \"DB\"\ndatabase_name = \"" + service + "-db\"\n");
    for (String env : environments) {
      toml.append("[env.").append(env).append("]\n[[env.").append(env).append(".d1_databases]]\n")
          .append("binding = \"DB\"\ndatabase_name = \"").append(service).append("-").append(env).append("\"\n");
    }
    Files.writeString(project.resolve("wrangler.toml"), toml.toString());
    return project;
  }

  private static void append(Path project, String toml) throws IOException {
    Files.writeString(project.resolve("wrangler.toml"), Files.readString(project.resolve("wrangler.toml")) + toml);
  }
}
