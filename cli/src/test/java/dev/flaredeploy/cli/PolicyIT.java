package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flaredeploy.cli.LocalProjects.Project;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Pre-deploy policies as a user meets them: the packaged CLI, a {@code flaredeploy dev-server} process with
 * its worker, real wrangler and workerd. Each test deploys the {@code production} environment of its own
 * copy of the example; {@code plan} and {@code deploy} must agree on every block.
 */
class PolicyIT extends DevServerFixture {
  @Test
  void freezeWindowBlocksAProductionDeployInPlanAndDeployUntilOverriddenWithAReason() throws IOException {
    Production p = production("freeze");
    assertThat(deploy(p).exitCode()).isZero();
    String releaseBefore = status(p).at("/release/version").asText();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    appendPolicy(p, """
        [[env.production.policy.freeze]]
        name = "incident-review"
        reason = "no production deploys until the incident review is done"
        start = %s
        end = %s
        """.formatted(now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(2))));
    Files.writeString(p.file("migrations/0003_tags.sql"), "ALTER TABLE notes ADD COLUMN tags TEXT;\n");
    Path index = p.file("src/index.js");
    Files.writeString(index, Files.readString(index).replace("try GET /health", "v2: try GET /health"));

    CliRunner.Result plan = plan(p);
    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
    assertThat(plan.json().get("proceeds").asBoolean()).isFalse();
    JsonNode policies = DeployEndToEndIT.check(plan.json(), "policies");
    assertThat(policies.get("failureType").asText()).isEqualTo("PolicyBlocked");
    assertThat(policies.at("/findings/0/subject").asText()).isEqualTo("freeze");
    assertThat(policies.at("/findings/0/code").asText()).isEqualTo("failed");
    assertThat(plan.json().get("blockedBecause").asText())
        .contains("policy freeze", "incident-review", "--override freeze --reason");
    CliRunner.Result planText = cli.run("plan", p.dir().toString(), "--env", "production");
    assertThat(planText.stdout()).contains("policy freeze: failed", "BLOCKED", "--override freeze");

    CliRunner.Result blocked = deploy(p);
    assertThat(blocked.exitCode()).as(blocked.toString()).isEqualTo(2);
    assertThat(blocked.json().at("/error/type").asText()).isEqualTo("PolicyBlocked");
    assertThat(blocked.json().at("/error/step").asText()).isEqualTo("validate-schema");
    assertThat(blocked.json().at("/error/message").asText())
        .contains("policy freeze", "no production deploys until the incident review is done",
            "--override freeze --reason");
    assertNothingChanged(p, releaseBefore, "0003_tags.sql");

    // overrides are checked before anything starts
    CliRunner.Result noReason = cli.run("deploy", p.dir().toString(), "--env", "production", "--address", address,
        "--override", "freeze");
    assertThat(noReason.exitCode()).as(noReason.toString()).isEqualTo(2);
    assertThat(noReason.stderr()).contains("--override freeze needs --reason");
    CliRunner.Result unknown = cli.run("plan", p.dir().toString(), "--env", "production",
        "--override", "frezee", "--reason", "typo");
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(2);
    assertThat(unknown.stderr()).contains("no such policy rule", "freeze, branches, clean_tree, required_secrets");
    assertThat(status(p).get("runId").asText()).as("no run was started")
        .isEqualTo(blocked.json().get("runId").asText());

    String reason = "hotfix for INC-42, approved by ada";
    CliRunner.Result allowedPlan = cli.run("plan", p.dir().toString(), "--env", "production", "--output", "json",
        "--override", "freeze", "--reason", reason);
    assertThat(allowedPlan.exitCode()).as(allowedPlan.toString()).isZero();
    JsonNode freeze = DeployEndToEndIT.check(allowedPlan.json(), "policies").at("/findings/0");
    assertThat(freeze.get("subject").asText()).isEqualTo("freeze");
    assertThat(freeze.get("code").asText()).isEqualTo("overridden");
    assertThat(freeze.get("message").asText()).endsWith("(overridden: " + reason + ")");

    CliRunner.Result allowed = cli.run("deploy", p.dir().toString(), "--env", "production", "--address", address,
        "--output", "json", "--override", "freeze", "--reason", reason);
    assertThat(allowed.exitCode()).as(allowed.toString()).isZero();
    assertThat(allowed.json().get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(DeployEndToEndIT.names(allowed.json().at("/databases/0/applied"))).containsExactly("0003_tags.sql");
    assertThat(CliRunner.get(p.port(), "/").body()).contains("v2:");

    JsonNode status = status(p);
    assertThat(status.at("/overrides/0/rule").asText()).isEqualTo("freeze");
    assertThat(status.at("/overrides/0/reason").asText()).isEqualTo(reason);
    assertThat(status.at("/steps/1/detail").asText())
        .contains("policies warned: policy freeze: overridden", "(overridden: " + reason + ")");
    CliRunner.Result statusText = cli.run("status", p.id(), "--address", address);
    assertThat(statusText.stdout()).contains("override freeze: " + reason);
    CliRunner.Result history = cli.run("history", p.id(), "--address", address);
    assertThat(history.exitCode()).as(history.toString()).isZero();
    assertThat(history.stdout()).contains("override freeze: " + reason, "requested by ");
    CliRunner.Result historyJson = cli.run("history", p.id(), "--address", address, "--output", "json");
    assertThat(historyJson.json().at("/overrides/0/reason").asText()).isEqualTo(reason);
  }

  @Test
  void branchRuleBlocksPlanAndDeployFromAnotherBranch() throws IOException {
    Production p = production("branch");
    appendPolicy(p, """
        [env.production.policy]
        branches = ["main", "release/*"]
        """);
    git(p, "init", "-q", "-b", "main");
    git(p, "add", "-A");
    git(p, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "v1");
    git(p, "checkout", "-q", "-b", "feature/x");

    CliRunner.Result plan = plan(p);
    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
    JsonNode branches = DeployEndToEndIT.check(plan.json(), "policies").at("/findings/0");
    assertThat(branches.get("subject").asText()).isEqualTo("branches");
    assertThat(branches.get("message").asText()).contains("branch feature/x is not allowed", "main, release/*");

    CliRunner.Result blocked = deploy(p);
    assertThat(blocked.exitCode()).as(blocked.toString()).isEqualTo(2);
    assertThat(blocked.json().at("/error/type").asText()).isEqualTo("PolicyBlocked");
    assertThat(blocked.json().at("/error/message").asText())
        .contains("policy branches", "feature/x", "--override branches --reason");
    assertThat(CliRunner.listening(p.port())).as("nothing was released").isFalse();

    // the commit of main, deployed from a checkout of feature/x, is on an allowed branch
    CliRunner.Result mainCommit = cli.run("plan", p.dir().toString(), "--env", "production", "--commit", "main");
    assertThat(mainCommit.exitCode()).as(mainCommit.toString()).isZero();
    assertThat(mainCommit.stdout()).contains("policy branches: passed");
  }

  @Test
  void requiredSecretBlocksUntilTheDevVarsHaveItAndItsValueIsNeverShown() throws IOException {
    Production p = production("secret");
    appendPolicy(p, """
        [env.production.policy]
        required_secrets = ["API_KEY"]
        """);

    CliRunner.Result plan = plan(p);
    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
    assertThat(DeployEndToEndIT.check(plan.json(), "policies").at("/findings/0/message").asText())
        .contains("API_KEY", ".dev.vars.production or .dev.vars");

    CliRunner.Result blocked = deploy(p);
    assertThat(blocked.exitCode()).as(blocked.toString()).isEqualTo(2);
    assertThat(blocked.json().at("/error/type").asText()).isEqualTo("PolicyBlocked");
    assertThat(blocked.json().at("/error/message").asText())
        .contains("policy required_secrets", "API_KEY", "--override required_secrets --reason");
    assertThat(CliRunner.listening(p.port())).as("nothing was released").isFalse();

    String value = "v4lue-that-must-not-leak";
    Files.writeString(p.file(".dev.vars.production"), "API_KEY=" + value + "\n");
    CliRunner.Result allowedPlan = plan(p);
    CliRunner.Result deployed = deploy(p);
    CliRunner.Result history = cli.run("history", p.id(), "--address", address, "--output", "json");

    assertThat(allowedPlan.exitCode()).as(allowedPlan.toString()).isZero();
    assertThat(deployed.exitCode()).as(deployed.toString()).isZero();
    assertThat(deployed.json().at("/steps/1/detail").asText()).contains("policies passed: required_secrets passed");
    for (CliRunner.Result r : List.of(allowedPlan, deployed, history)) {
      assertThat(r.stdout() + r.stderr()).doesNotContain(value);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** A copy of the example with a {@code production} environment served on its own port. */
  record Production(String service, Path dir, int port) {
    Path file(String relative) {
      return dir.resolve(relative);
    }

    String id() {
      return "deploy:local:" + service + ":production";
    }
  }

  static Production production(String suffix) throws IOException {
    Project p = projects.copy("policy-" + suffix);
    stopAfterwards(p.service(), "--env", "production");
    int port = CliRunner.freePort();
    Files.writeString(p.file("wrangler.toml"), Files.readString(p.file("wrangler.toml")) + """

        [env.production]

        [[env.production.d1_databases]]
        binding = "DB"
        database_name = "hello-d1-db-production"
        database_id = "local-%s-production"
        """.formatted(p.service()));
    Files.writeString(p.file("flaredeploy.toml"), Files.readString(p.file("flaredeploy.toml")) + """

        [env.production.local]
        port = %d
        """.formatted(port));
    return new Production(p.service(), p.dir(), port);
  }

  static void appendPolicy(Production p, String toml) throws IOException {
    Files.writeString(p.file("flaredeploy.toml"), Files.readString(p.file("flaredeploy.toml")) + "\n" + toml);
  }

  static CliRunner.Result deploy(Production p) {
    return cli.run("deploy", p.dir().toString(), "--env", "production", "--address", address, "--output", "json");
  }

  static CliRunner.Result plan(Production p) {
    return cli.run("plan", p.dir().toString(), "--env", "production", "--output", "json");
  }

  static JsonNode status(Production p) {
    CliRunner.Result status = cli.run("status", p.id(), "--address", address, "--output", "json");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    return status.json();
  }

  /** The release that served before still serves and the migration is still pending, as plan sees it. */
  static void assertNothingChanged(Production p, String releaseBefore, String pendingMigration) {
    assertThat(CliRunner.get(p.port(), "/").body()).doesNotContain("v2:");
    JsonNode plan = cli.run("plan", p.dir().toString(), "--env", "production", "--output", "json",
        "--override", "freeze", "--reason", "looking only").json();
    assertThat(DeployEndToEndIT.names(plan.at("/databases/0/pending"))).containsExactly(pendingMigration);
    assertThat(plan.at("/release/live").asText()).isEqualTo(releaseBefore);
  }

  static void git(Production p, String... args) {
    List<String> argv = new ArrayList<>(List.of("git", "-C", p.dir().toString()));
    argv.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes());
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as("git " + String.join(" ", args) + ": " + out).isZero();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
