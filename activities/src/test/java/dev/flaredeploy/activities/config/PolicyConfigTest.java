package dev.flaredeploy.activities.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.flaredeploy.workflows.model.FreezeWindow;
import dev.flaredeploy.workflows.model.PolicySettings;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** [policy] in flaredeploy.toml: what it reads, how environments override it, and its strict errors. */
class PolicyConfigTest {
  private static final String WRANGLER =
      """
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
  void noPolicyChecksNothing() {
    PolicySettings policy = loader.load(dir, "production").policy();

    assertThat(PolicySettings.RULES).noneMatch(policy::configures);
  }

  @Test
  void readsEveryPolicyKey() {
    policy("""
        [policy]
        branches = ["main", "release/*"]
        clean_tree = true
        required_secrets = ["API_KEY", "SIGNING_KEY"]

        [[policy.freeze]]
        name = "friday-afternoon"
        reason = "no production deploys on Friday after 12:00 UTC"
        days = ["friday"]
        from = "12:00"

        [[policy.freeze]]
        name = "year-end"
        start = 2025-12-20T00:00:00Z
        end = "2026-01-05T00:00:00+01:00"

        [[policy.freeze]]
        name = "launch-day"
        time_zone = "America/New_York"
        start = 2025-09-01
        end = 2025-09-02T06:00:00
        """);

    PolicySettings policy = loader.load(dir, "default").policy();

    assertThat(policy.branches()).containsExactly("main", "release/*");
    assertThat(policy.cleanTree()).isTrue();
    assertThat(policy.requiredSecrets()).containsExactly("API_KEY", "SIGNING_KEY");
    assertThat(policy.overrides()).isEmpty();
    assertThat(policy.freeze()).containsExactly(
        new FreezeWindow("friday-afternoon", "no production deploys on Friday after 12:00 UTC", List.of("friday"),
            "12:00", "24:00", "UTC", null, null),
        new FreezeWindow("year-end", null, null, null, null, "UTC", "2025-12-20T00:00:00Z", "2026-01-04T23:00:00Z"),
        new FreezeWindow("launch-day", null, null, null, null, "America/New_York",
            "2025-09-01T04:00:00Z", "2025-09-02T10:00:00Z"));
  }

  @Test
  void anEnvironmentOverridesPolicyKeyByKeyAndItsFreezeListReplacesTheTopLevelOne() {
    policy("""
        [policy]
        clean_tree = true
        branches = ["**"]
        [[policy.freeze]]
        name = "weekend"
        days = ["saturday", "sunday"]

        [env.production.policy]
        branches = ["main"]
        on_drift = "warn"
        [[env.production.policy.freeze]]
        name = "friday"
        days = ["Friday"]
        from = "12:00"
        until = "24:00"
        time_zone = "Europe/Berlin"
        """);

    PolicySettings top = loader.load(dir, "default").policy();
    LoadedProject production = loader.load(dir, "production");

    assertThat(top.branches()).containsExactly("**");
    assertThat(top.freeze()).extracting(FreezeWindow::name).containsExactly("weekend");
    assertThat(top.freeze().get(0).from()).isEqualTo("00:00");
    assertThat(production.policy().branches()).containsExactly("main");
    assertThat(production.policy().cleanTree()).as("inherited").isTrue();
    assertThat(production.policy().freeze()).singleElement().satisfies(w -> {
      assertThat(w.name()).isEqualTo("friday");
      assertThat(w.days()).containsExactly("friday");
      assertThat(w.timeZone()).isEqualTo("Europe/Berlin");
    });
    assertThat(production.onDrift()).isEqualTo("warn");
  }

  @Test
  void rejectsAnUnknownPolicyKeySuggestingTheNearest() {
    policy("""
        [policy]
        clean_tre = true
        """);

    assertError(2, "policy.clean_tre",
        "unknown key; did you mean \"clean_tree\"? allowed here: on_drift, freeze, branches, clean_tree, required_secrets");
  }

  @Test
  void rejectsAnUnknownFreezeKeyAndAMisspeltDay() {
    policy("""
        [[policy.freeze]]
        name = "x"
        days = ["friday"]
        form = "12:00"
        """);
    assertError(4, "policy.freeze[0].form", "unknown key; did you mean \"from\"?");

    policy("""
        [[policy.freeze]]
        name = "x"
        days = ["fryday"]
        """);
    assertError(3, "policy.freeze[0].days[0]", "expected a day of the week written out in English, got \"fryday\"; "
        + "did you mean \"friday\"?");
  }

  @Test
  void rejectsBadTimesAndTimeZones() {
    policy("""
        [[policy.freeze]]
        name = "x"
        days = ["friday"]
        from = "12"
        """);
    assertError(4, "policy.freeze[0].from", "expected a time of day as \"HH:MM\" (24-hour clock, 00:00 to 23:59), got \"12\"");

    policy("""
        [[policy.freeze]]
        name = "x"
        days = ["friday"]
        from = "24:00"
        """);
    assertError(4, "policy.freeze[0].from", "got \"24:00\"");

    policy("""
        [[policy.freeze]]
        name = "x"
        days = ["friday"]
        time_zone = "Mars/Olympus"
        """);
    assertError(4, "policy.freeze[0].time_zone", "expected a time zone id such as \"UTC\"");

    policy("""
        [[policy.freeze]]
        name = "x"
        days = ["friday"]
        from = "09:00"
        until = "09:00"
        """);
    assertError(5, "policy.freeze[0].until", "the window would be empty");
  }

  @Test
  void rejectsAWindowThatIsNeitherOrBothWeeklyAndDated() {
    policy("""
        [[policy.freeze]]
        name = "x"
        reason = "whatever"
        """);
    assertError(1, "policy.freeze[0]", "missing when it applies");

    policy("""
        [[policy.freeze]]
        name = "x"
        days = ["friday"]
        start = 2025-12-20T00:00:00Z
        end = 2025-12-21T00:00:00Z
        """);
    assertError(4, "policy.freeze[0].start", "either weekly (days, from, until) or dated (start, end), not both");
  }

  @Test
  void rejectsADatedWindowThatEndsBeforeItStartsOrLacksAnEnd() {
    policy("""
        [[policy.freeze]]
        name = "x"
        start = 2025-12-20T00:00:00Z
        end = 2025-12-19T00:00:00Z
        """);
    assertError(4, "policy.freeze[0].end", "end must be after start");

    policy("""
        [[policy.freeze]]
        name = "x"
        start = 2025-12-20T00:00:00Z
        """);
    assertError(1, "policy.freeze[0].end", "missing; a dated window needs start and end");

    policy("""
        [[policy.freeze]]
        name = "x"
        start = "next friday"
        end = 2025-12-21
        """);
    assertError(3, "policy.freeze[0].start", "expected a date-time such as 2025-12-20T00:00:00Z");
  }

  @Test
  void rejectsDuplicateWindowNamesEmptyBranchesAndWrongTypes() {
    policy("""
        [[policy.freeze]]
        name = "x"
        days = ["friday"]
        [[policy.freeze]]
        name = "x"
        days = ["monday"]
        """);
    assertError(5, "policy.freeze[1].name", "another freeze window is named \"x\"");

    policy("""
        [policy]
        branches = []
        """);
    assertError(2, "policy.branches", "write [\"**\"] or remove the key");

    policy("""
        [policy]
        clean_tree = "yes"
        """);
    assertError(2, "policy.clean_tree", "expected true or false, got \"yes\"");

    policy("""
        [policy]
        required_secrets = ["API_KEY", "API_KEY"]
        """);
    assertError(2, "policy.required_secrets[1]", "\"API_KEY\" is listed twice");
  }

  @Test
  void checksThePolicyOfEveryEnvironmentNotOnlyTheDeployedOne() {
    policy("""
        [env.production.policy]
        branches = ["main", ""]
        """);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e).hasMessageStartingWith("flaredeploy.toml:2: env.production.policy.branches[1]: expected a branch");
  }

  // ---------------------------------------------------------------------------------------------

  private void policy(String toml) {
    project.write("flaredeploy.toml", toml);
  }

  private void assertError(int line, String key, String problem) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));
    assertThat(e).as("an error for " + key).isNotNull();
    assertThat(e.getMessage()).startsWith("flaredeploy.toml:" + line + ": " + key + ": ").contains(problem);
  }
}
