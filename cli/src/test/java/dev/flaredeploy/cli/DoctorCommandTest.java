package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flaredeploy.testkit.CloudflareApiRecorder;
import dev.flaredeploy.testkit.ExampleProjects;
import dev.flaredeploy.worker.DevServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flaredeploy doctor} in-process on this machine, with the environment changed so that one check at a
 * time fails: each failing check reports what it saw and its fix, and the exit code is 2.
 */
class DoctorCommandTest {
  private static final String TOKEN = "doctor-test-token-5f1c9a";
  private static final String ACCOUNT = "0123456789abcdef0123456789abcdef";

  @TempDir static Path dir;
  static DevServer devServer;
  static String address;
  static CloudflareApiRecorder recorder;

  @BeforeAll
  static void startServers() {
    int port = CliRunner.freePort();
    devServer = DevServer.start(port);
    address = "127.0.0.1:" + port;
    recorder = CloudflareApiRecorder.start(TOKEN, ACCOUNT);
    recorder.database("7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c01", "hello-d1-db");
    recorder.deployed("hello-d1", null);
  }

  @AfterAll
  static void stopServers() {
    if (devServer != null) {
      devServer.close();
    }
    if (recorder != null) {
      recorder.close();
    }
  }

  /** This machine as the tests run: the pinned wrangler, node and git on the PATH, a fresh home. */
  private static Map<String, String> machine() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv("PATH"));
    env.put("FLAREDEPLOY_ROOT", ExampleProjects.repoRoot().toString());
    env.put("FLAREDEPLOY_HOME", dir.resolve("home").toString());
    return env;
  }

  private static CliRunner.Result doctor(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "doctor";
    System.arraycopy(args, 0, all, 1, args.length);
    return new InProcessCli(env, dir).run(all);
  }

  private static Map<String, JsonNode> checks(CliRunner.Result result) {
    Map<String, JsonNode> checks = new LinkedHashMap<>();
    result.json().get("checks").forEach(c -> checks.put(c.get("name").asText(), c));
    return checks;
  }

  @Test
  void everyCheckPassesOnAMachineThatCanDeploy() {
    CliRunner.Result result = doctor(machine(), "--address", address);

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout().lines()).as(result.stdout())
        .hasSize(7).allMatch(line -> line.startsWith("✓ "))
        .anyMatch(line -> line.startsWith("✓ wrangler") && line.contains("wrangler 4.86.0 (") && line.endsWith("the pinned version"))
        .anyMatch(line -> line.startsWith("✓ temporal") && line.contains("in-memory dev server"));
    assertThat(result.stderr()).contains("all 7 checks passed");
    assertThat(dir.resolve("home")).as("the home is not created by looking at it").doesNotExist();
  }

  @Test
  void aMissingWranglerIsReportedWithHowToInstallIt() throws Exception {
    Map<String, String> env = machine();
    Path emptyRoot = Files.createDirectories(dir.resolve("no-install"));
    Files.writeString(emptyRoot.resolve("package.json"), "{\"devDependencies\": {\"wrangler\": \"4.86.0\"}}");
    env.put("FLAREDEPLOY_ROOT", emptyRoot.toString());
    env.put("PATH", "/usr/bin:/bin");

    CliRunner.Result result = doctor(env, "--address", address, "--output", "json");

    assertThat(result.exitCode()).isEqualTo(2);
    JsonNode wrangler = checks(result).get("wrangler");
    assertThat(wrangler.get("ok").asBoolean()).isFalse();
    assertThat(wrangler.get("detail").asText()).contains("wrangler was not found", emptyRoot.toString());
    assertThat(wrangler.get("fix").asText()).contains("npm ci", "pinned wrangler 4.86.0", "FLAREDEPLOY_WRANGLER");
    assertThat(result.json().get("ok").asBoolean()).isFalse();
    assertThat(result.stderr()).contains("checks failed: wrangler");
  }

  @Test
  void noServerAtAnAddressGivenIsReportedWithHowToStartOne() {
    CliRunner.Result result = doctor(machine(), "--address", "127.0.0.1:" + CliRunner.freePort());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stdout()).containsPattern("✗ temporal +no Temporal server answered at 127\\.0\\.0\\.1:\\d+ .* — fix:"
        + " start it \\(flaredeploy dev-server --port PORT, or docker compose up\\)");
  }

  @Test
  void noServerAtTheDefaultAddressMeansDeployRunsEmbedded() {
    assumeFalse(CliRunner.listening(7233), "something listens on the default address 127.0.0.1:7233 here");

    CliRunner.Result result = doctor(machine(), "--output", "json");

    JsonNode temporal = checks(result).get("temporal");
    assertThat(temporal.get("ok").asBoolean()).isTrue();
    assertThat(temporal.get("detail").asText()).contains("no server at 127.0.0.1:7233", "deploy will run embedded");
  }

  @Test
  void aHomeThatCannotBeWrittenIsReported() throws Exception {
    Map<String, String> env = machine();
    Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
    env.put("FLAREDEPLOY_HOME", file.resolve("home").toString());

    CliRunner.Result result = doctor(env, "--address", address, "--output", "json");

    assertThat(result.exitCode()).isEqualTo(2);
    JsonNode home = checks(result).get("home");
    assertThat(home.get("ok").asBoolean()).isFalse();
    assertThat(home.get("detail").asText()).contains(file + " is not a directory");
    assertThat(home.get("fix").asText()).contains("FLAREDEPLOY_HOME");
  }

  @Test
  void aTokenCloudflareAcceptsReadsD1AndWorkers() {
    Map<String, String> env = machine();
    env.put("CLOUDFLARE_API_TOKEN", TOKEN);
    env.put("CLOUDFLARE_API_BASE_URL", recorder.baseUrl());

    CliRunner.Result result = doctor(env, "--address", address, "--target", "cloudflare");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout()).contains("✓ cloudflare-token", "✓ cloudflare-account", "account " + ACCOUNT,
        "✓ cloudflare-d1", "✓ cloudflare-workers").doesNotContain(TOKEN);
    assertThat(recorder.callLines()).contains("GET /user/tokens/verify", "GET /memberships?per_page=50",
        "GET /accounts/" + ACCOUNT + "/d1/database?per_page=1", "GET /accounts/" + ACCOUNT + "/workers/scripts");
  }

  @Test
  void aTokenTheApiRejectsIsReportedWithoutShowingIt() {
    Map<String, String> env = machine();
    String wrong = "not-the-token-" + TOKEN;
    env.put("CLOUDFLARE_API_TOKEN", wrong);
    env.put("CLOUDFLARE_API_BASE_URL", recorder.baseUrl());
    recorder.echoAuthorizationInErrors();

    CliRunner.Result result = doctor(env, "--address", address);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stdout()).containsPattern("✗ cloudflare-token +Cloudflare rejected CLOUDFLARE_API_TOKEN at "
        + "http://127\\.0\\.0\\.1:\\d+/client/v4: Authentication error.* — fix: the token is wrong, revoked");
    assertThat(result.stdout() + result.stderr()).doesNotContain(wrong).doesNotContain(TOKEN);
    assertThat(result.stdout()).doesNotContain("cloudflare-d1");
  }

  @Test
  void aMissingTokenIsReportedWhenCloudflareIsAskedFor() {
    CliRunner.Result result = doctor(machine(), "--address", address, "--target", "cloudflare", "--output", "json");

    assertThat(result.exitCode()).isEqualTo(2);
    JsonNode token = checks(result).get("cloudflare-token");
    assertThat(token.get("detail").asText()).isEqualTo("CLOUDFLARE_API_TOKEN is not set");
    assertThat(token.get("fix").asText()).contains("Workers Scripts:Edit and D1:Edit");
  }

  @Test
  void aProjectWhoseWranglerConfigDoesNotParseFailsItsCheckWithFileAndLine() throws Exception {
    Path project = WranglerProjectShapes.noDatabase(dir.resolve("greeter"));
    Files.writeString(project.resolve("wrangler.toml"), "name = \"greeter\"\nmain = \n");

    CliRunner.Result result = doctor(machine(), "greeter", "--address", address);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stdout()).contains("✗ project", "wrangler.toml:2: not valid TOML");
  }

  @Test
  void badInputIsOneLineOnStderrAndNoChecks() {
    for (String[] args : new String[][] {{"--bogus"}, {"./no-such-dir"}, {"--target", "mars"}}) {
      CliRunner.Result result = doctor(machine(), args);
      assertThat(result.exitCode()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(result.stdout()).isEmpty();
      assertThat(result.stderr().strip().lines()).as(result.stderr()).hasSize(1);
    }
  }
}
