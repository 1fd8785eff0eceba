package dev.flaredeploy.activities.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.flaredeploy.workflows.model.ApprovalSettings;
import dev.flaredeploy.workflows.model.NotifyTarget;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [approval]} and {@code [[notify]]} of flaredeploy.toml: what they mean, and every way to get them wrong. */
class ProductionConfigTest {
  private static final String WRANGLER = """
      name = "shop"
      main = "src/index.js"
      [[d1_databases]]
      binding = "DB"
      database_name = "shop-db"
      [env.production]
      [[env.production.d1_databases]]
      binding = "DB"
      database_name = "shop-db-production"
      """;

  @TempDir Path dir;
  private ProjectFiles project;
  private final ProjectConfigLoader loader = new ProjectConfigLoader();

  @BeforeEach
  void setUp() {
    project = new ProjectFiles(dir).withWorkerAndMigrations().write("wrangler.toml", WRANGLER);
  }

  @Test
  void approvalPerEnvironmentWithDefaultTimeoutAndNotificationsFromTheTopLevel() {
    project.write("flaredeploy.toml", """
        [[notify]]
        url_env = "SLACK_WEBHOOK_URL"
        events = ["waiting_for_approval", "failed"]
        format = "slack"

        [env.production.approval]
        required = true
        approvers = ["ada", "grace@build-1"]
        """);

    LoadedProject production = loader.load(dir, "production");
    LoadedProject top = loader.load(dir, "default");

    assertThat(production.approval()).isEqualTo(new ApprovalSettings(true, ApprovalSettings.DEFAULT_TIMEOUT_MILLIS,
        List.of("ada", "grace@build-1")));
    assertThat(production.approvalRequired()).isTrue();
    assertThat(top.approvalRequired()).as("only production asks").isFalse();
    assertThat(production.notifications()).containsExactly(new NotifyTarget("SLACK_WEBHOOK_URL",
        List.of("waiting_for_approval", "failed"), "slack"));
    assertThat(top.notifications()).isEqualTo(production.notifications());
    assertThat(production.approval().allows("ada@any-host")).isTrue();
    assertThat(production.approval().allows("grace@build-1")).isTrue();
    assertThat(production.approval().allows("grace@build-2")).isFalse();
  }

  @Test
  void anEnvironmentsOwnNotifyListReplacesTheTopLevelsAndAFleetRunUsesTheTopLevelsWhatever() {
    project.write("flaredeploy.toml", """
        [[notify]]
        url_env = "TEAM_HOOK"
        events = ["failed"]

        [[env.production.notify]]
        url_env = "PRODUCTION_HOOK"
        format = "slack"
        """);

    LoadedProject production = loader.load(dir, "production");

    assertThat(production.notifications()).containsExactly(new NotifyTarget("PRODUCTION_HOOK", NotifyTarget.EVENTS,
        "slack"));
    assertThat(production.fleetNotifications()).as("a fleet's own outcome goes to the project's top-level list")
        .containsExactly(new NotifyTarget("TEAM_HOOK", List.of("failed"), "json"));
  }

  @Test
  void aTopLevelApprovalAppliesEverywhereAndNotifyDefaultsToEveryEventAsJson() {
    project.write("flaredeploy.toml", """
        [approval]
        required = true
        timeout = "2h"

        [[notify]]
        url_env = "HOOK"
        """);

    LoadedProject production = loader.load(dir, "production");

    assertThat(production.approval()).isEqualTo(new ApprovalSettings(true, 7_200_000, List.of()));
    assertThat(production.notifications()).containsExactly(new NotifyTarget("HOOK", NotifyTarget.EVENTS, "json"));
  }

  @Test
  void notifyWithoutUrlEnvIsAnErrorWithFileLineAndKey() {
    assertThat(error("""
        target = "local"

        [[notify]]
        events = ["failed"]
        """)).hasMessageStartingWith("flaredeploy.toml:3: notify[0].url_env: missing; name the environment variable");
  }

  @Test
  void aWebhookUrlInPlainTextIsRefusedWhereverItIsWritten() {
    assertThat(error("""
        [[notify]]
        url_env = "https://hooks.slack.com/services/T000/B000/XXXX"
        """)).hasMessageStartingWith("flaredeploy.toml:2: notify[0].url_env: expected the name of an environment "
            + "variable, got a URL; a webhook URL is a secret")
        .hasMessageNotContaining("hooks.slack.com");
    assertThat(error("""
        [[notify]]
        url_env = "HOOK"
        url = "https://hooks.slack.com/services/T000/B000/XXXX"
        """)).hasMessageStartingWith("flaredeploy.toml:3: notify[0].url: a webhook URL is a secret and does not "
            + "belong in flaredeploy.toml").hasMessageNotContaining("hooks.slack.com");
  }

  @Test
  void anUnknownEventNameIsAnErrorThatSuggestsTheNearest() {
    assertThat(error("""
        [env.production]
        [[env.production.notify]]
        url_env = "HOOK"
        events = ["succeeded", "rolledback"]
        """)).hasMessage("flaredeploy.toml:4: env.production.notify[0].events[1]: unknown event \"rolledback\"; did "
            + "you mean \"rolled_back\"? expected any of waiting_for_approval, succeeded, failed, rolled_back, "
            + "needs_a_person, cancelled");
  }

  @Test
  void anApprovalTimeoutThatDoesNotParseIsAnErrorWithFileLineAndKey() {
    assertThat(error("""
        [env.production.approval]
        required = true
        timeout = "one day"
        """)).hasMessage("flaredeploy.toml:3: env.production.approval.timeout: expected a duration such as \"30s\" "
            + "(<n>ms, <n>s, <n>m or <n>h), got \"one day\"");
    assertThat(error("""
        [approval]
        requierd = true
        """)).hasMessageStartingWith("flaredeploy.toml:2: approval.requierd: unknown key; did you mean \"required\"?");
    assertThat(error("""
        [[notify]]
        url_env = "HOOK"
        format = "teams"
        """)).hasMessage("flaredeploy.toml:3: notify[0].format: expected \"slack\" or \"json\", got \"teams\"");
  }

  private ConfigException error(String toml) {
    project.write("flaredeploy.toml", toml);
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "production"));
    assertThat(e).as("a config error").isNotNull();
    return e;
  }
}
