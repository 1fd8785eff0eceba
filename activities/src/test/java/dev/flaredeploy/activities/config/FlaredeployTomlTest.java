package dev.flaredeploy.activities.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.flaredeploy.workflows.Steps;
import dev.flaredeploy.workflows.model.RolloutPlan;
import dev.flaredeploy.workflows.model.MigrationAllowance;
import dev.flaredeploy.workflows.model.SmokeCheck;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlaredeployTomlTest {
  private static final String WRANGLER =
      """
      name = "shop"
      main = "src/index.js"
      [[d1_databases]]
      binding = "DB"
      database_name = "shop-db"
      [env.staging]
      [[env.staging.d1_databases]]
      binding = "DB"
      database_name = "shop-db-staging"
      """;

  @TempDir Path dir;
  private ProjectFiles project;
  private final ProjectConfigLoader loader = new ProjectConfigLoader();

  @BeforeEach
  void setUp() {
    project = new ProjectFiles(dir).withWorkerAndMigrations().write("wrangler.toml", WRANGLER);
  }

  @Test
  void appliesDefaultsWhenFlaredeployTomlIsAbsent() {
    LoadedProject loaded = loader.load(dir, "staging");

    assertThat(loaded.target()).isEqualTo("local");
    assertThat(loaded.smoke().timeoutMillis()).isEqualTo(30_000);
    assertThat(loaded.smoke().checks()).containsExactly(new SmokeCheck("/health", null, null));
    assertThat(loaded.local().port()).isEqualTo(8787);
    assertThat(loaded.restoreDatabaseOn()).isEqualTo(Steps.DEFAULT_RESTORE_DATABASE_ON);
  }

  @Test
  void readsEverySetting() {
    project.write(
        "flaredeploy.toml",
        """
        target = "cloudflare"
        [smoke]
        timeout = "2m"
        [[smoke.check]]
        path = "/health"
        expect_status = 204
        [[smoke.check]]
        path = "/"
        expect_body_contains = "hello"
        [local]
        port = 9000
        [compensation]
        restore_database_on = ["apply-migrations", "smoke-test"]
        """);

    LoadedProject loaded = loader.load(dir, "default");

    assertThat(loaded.target()).isEqualTo("cloudflare");
    assertThat(loaded.smoke().timeoutMillis()).isEqualTo(120_000);
    assertThat(loaded.smoke().checks())
        .containsExactly(new SmokeCheck("/health", 204, null), new SmokeCheck("/", null, "hello"));
    assertThat(loaded.local().port()).isEqualTo(9000);
    assertThat(loaded.restoreDatabaseOn()).containsExactly("apply-migrations", "smoke-test");
  }

  @Test
  void overridesTheTopLevelKeyByKeyForTheSelectedEnvironment() {
    project.write(
        "flaredeploy.toml",
        """
        [smoke]
        timeout = "30s"
        [[smoke.check]]
        path = "/health"
        [[smoke.check]]
        path = "/version"
        [local]
        port = 8787

        [env.staging.smoke]
        timeout = "90s"
        [env.staging.local]
        port = 8788
        """);

    LoadedProject staging = loader.load(dir, "staging");
    LoadedProject top = loader.load(dir, "default");

    assertThat(staging.smoke().timeoutMillis()).isEqualTo(90_000);
    assertThat(staging.smoke().checks()).extracting(SmokeCheck::path).containsExactly("/health", "/version");
    assertThat(staging.local().port()).isEqualTo(8788);
    assertThat(top.smoke().timeoutMillis()).isEqualTo(30_000);
    assertThat(top.local().port()).isEqualTo(8787);
  }

  @Test
  void replacesTheWholeCheckListForAnEnvironment() {
    project.write(
        "flaredeploy.toml",
        """
        [[smoke.check]]
        path = "/health"
        [[smoke.check]]
        path = "/version"

        [[env.staging.smoke.check]]
        path = "/ready"
        """);

    assertThat(loader.load(dir, "staging").smoke().checks()).containsExactly(new SmokeCheck("/ready", null, null));
  }

  @Test
  void rejectsUnknownKeyInFlaredeployTomlWithLineAndKey() {
    project.write(
        "flaredeploy.toml",
        """
        [smoke]
        timeout = "30s"

        [local]
        prot = 8787
        """);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e.line()).hasValue(5);
    assertThat(e.key()).contains("local.prot");
    assertThat(e).hasMessage("flaredeploy.toml:5: local.prot: unknown key; did you mean \"port\"? allowed here: port");
  }

  @Test
  void readsMigrationAllowancesOfTheTopLevelAndTheSelectedEnvironment() {
    project.write(
        "flaredeploy.toml",
        """
        [[migrations.allow]]
        file = "0002_more.sql"
        database = "DB"
        reason = "  x is new and unused  "

        [[env.staging.migrations.allow]]
        file = "0001_init.sql"
        reason = "staging is rebuilt nightly"
        """);

    assertThat(loader.load(dir, "default").allowances())
        .containsExactly(new MigrationAllowance("0002_more.sql", "DB", "x is new and unused"));
    assertThat(loader.load(dir, "staging").allowances()).containsExactly(
        new MigrationAllowance("0002_more.sql", "DB", "x is new and unused"),
        new MigrationAllowance("0001_init.sql", null, "staging is rebuilt nightly"));
  }

  @Test
  void rejectsAnAllowanceForAFileThatIsNotInTheMigrationsDirWithLineAndKey() {
    project.write(
        "flaredeploy.toml",
        """
        [smoke]
        timeout = "30s"

        [[migrations.allow]]
        file = "0003_drop_legacy.sql"
        reason = "unused"
        """);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e.line()).hasValue(5);
    assertThat(e.key()).contains("migrations.allow[0].file");
    assertThat(e).hasMessage("flaredeploy.toml:5: migrations.allow[0].file: no migration \"0003_drop_legacy.sql\" in"
        + " migrations/ (DB); an allowance must name a file that exists there (check the spelling, or remove the"
        + " allowance)");
  }

  @Test
  void rejectsAnAllowanceForAnUnknownBindingAndOneWithoutAReason() {
    project.write("flaredeploy.toml", """
        [[migrations.allow]]
        file = "0002_more.sql"
        database = "CACHE"
        reason = "unused"
        """);
    ConfigException binding = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));
    assertThat(binding.line()).hasValue(3);
    assertThat(binding.key()).contains("migrations.allow[0].database");
    assertThat(binding.problem()).startsWith("no D1 binding \"CACHE\" in wrangler.toml (its bindings: DB)");

    project.write("flaredeploy.toml", """
        [[migrations.allow]]
        file = "0002_more.sql"
        """);
    ConfigException reason = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));
    assertThat(reason.key()).contains("migrations.allow[0].reason");
    assertThat(reason.problem()).startsWith("missing; say why");

    project.write("flaredeploy.toml", """
        [[migrations.allow]]
        file = "0002_more.sql"
        reason = " "
        """);
    assertThat(catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default")).problem())
        .startsWith("must not be empty");

    project.write("flaredeploy.toml", """
        [[migrations.allow]]
        file = "0002_more.sql"
        reason = "ok"
        resaon = "typo"
        """);
    assertThat(catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default")).problem())
        .startsWith("unknown key; did you mean \"reason\"?");
  }

  @Test
  void driftFailsProductionAndWarnsElsewhereUnlessPolicySaysOtherwise() {
    assertThat(loader.load(dir, "default").onDrift()).isEqualTo("warn");

    project.write("flaredeploy.toml", "[policy]\non_drift = \"fail\"\n");
    assertThat(loader.load(dir, "default").onDrift()).isEqualTo("fail");

    project.write("flaredeploy.toml", "[policy]\non_drift = \"sometimes\"\n");
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));
    assertThat(e).hasMessageContaining("policy.on_drift").hasMessageContaining("\"fail\" or \"warn\"");
  }

  @Test
  void readsSmokeBaseUrlPerEnvironment() {
    project.write("flaredeploy.toml", """
        [smoke]
        base_url = "https://shop.example.com"
        [env.staging.smoke]
        base_url = "http://127.0.0.1:9000/app"
        """);

    assertThat(loader.load(dir, "default").smoke().baseUrl()).isEqualTo("https://shop.example.com");
    assertThat(loader.load(dir, "staging").smoke().baseUrl()).isEqualTo("http://127.0.0.1:9000/app");
    assertThat(loader.load(dir, "staging").smoke().checks()).containsExactly(new SmokeCheck("/health", null, null));
  }

  @Test
  void leavesSmokeBaseUrlUnsetByDefault() {
    assertThat(loader.load(dir, "default").smoke().baseUrl()).isNull();
  }

  @Test
  void rejectsASmokeBaseUrlThatIsNotAnAbsoluteHttpUrl() {
    for (String bad : new String[] {"shop.example.com", "/health", "ftp://shop.example.com", "https://",
        "https://shop.example.com/?x=1", "http://exa mple.com"}) {
      project.write("flaredeploy.toml", "[smoke]\nbase_url = \"" + bad + "\"\n");

      ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

      assertThat(e).as(bad).isNotNull();
      assertThat(e).as(bad).hasMessageContaining("smoke.base_url")
          .hasMessageContaining("expected an absolute http or https URL");
    }
    project.write("flaredeploy.toml", "[smoke]\nbase_url = 8080\n");
    assertThat(catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default")))
        .hasMessageContaining("smoke.base_url");
  }

  @Test
  void rejectsUnknownTopLevelSection() {
    project.write("flaredeploy.toml", "[deploy]\nstrategy = \"gradual\"\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e.key()).contains("deploy");
    assertThat(e).hasMessageContaining("allowed here: target, smoke, local, compensation, policy, rollout, checkpoint, migrations, env");
  }

  @Test
  void checkpointExportIsOffByDefaultAndSetPerEnvironment() {
    assertThat(loader.load(dir, "default").checkpointExport()).isFalse();
    project.write(
        "flaredeploy.toml",
        """
        [checkpoint]
        export = true

        [env.staging.checkpoint]
        export = false
        """);

    assertThat(loader.load(dir, "default").checkpointExport()).isTrue();
    assertThat(loader.load(dir, "staging").checkpointExport()).isFalse();
  }

  @Test
  void rejectsACheckpointExportThatIsNotABoolean() {
    project.write("flaredeploy.toml", "[checkpoint]\nexport = \"yes\"\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e).hasMessage("flaredeploy.toml:2: checkpoint.export: expected true or false, got \"yes\"");
  }

  @Test
  void rejectsAWrongTypeNamingKeyAndLine() {
    project.write(
        "flaredeploy.toml",
        """
        [smoke]
        timeout = "30s"

        [[smoke.check]]
        path = "/health"
        [[smoke.check]]
        path = "/"
        expect_status = "ok"
        """);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e)
        .hasMessage(
            "flaredeploy.toml:8: smoke.check[1].expect_status:"
                + " expected an integer between 100 and 599, got \"ok\"");
  }

  @Test
  void rejectsAStatusOutOfRange() {
    project.write("flaredeploy.toml", "[[smoke.check]]\npath = \"/\"\nexpect_status = 700\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e)
        .hasMessage(
            "flaredeploy.toml:3: smoke.check[0].expect_status:"
                + " expected an integer between 100 and 599, got 700");
  }

  @Test
  void readsACheckThatAcceptsAnythingButAServerError() {
    project.write("flaredeploy.toml", "[[smoke.check]]\npath = \"/\"\nexpect_status_below = 500\n");

    assertThat(loader.load(dir, "default").smoke().checks()).containsExactly(new SmokeCheck("/", null, null, 500));
  }

  @Test
  void rejectsAStatusBoundOutOfRangeAndOneThatContradictsExpectStatus() {
    project.write("flaredeploy.toml", "[[smoke.check]]\npath = \"/\"\nexpect_status_below = 50\n");
    assertThat(catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default")))
        .hasMessage("flaredeploy.toml:3: smoke.check[0].expect_status_below:"
            + " expected an integer between 101 and 600, got 50");

    project.write("flaredeploy.toml",
        "[[smoke.check]]\npath = \"/\"\nexpect_status = 200\nexpect_status_below = 500\n");
    assertThat(catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default")))
        .hasMessageStartingWith("flaredeploy.toml:4: smoke.check[0].expect_status_below: expect_status and"
            + " expect_status_below say different things");
  }

  @Test
  void rejectsACheckPathWithoutLeadingSlash() {
    project.write("flaredeploy.toml", "[[smoke.check]]\npath = \"health\"\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e)
        .hasMessage(
            "flaredeploy.toml:2: smoke.check[0].path: expected a path starting with \"/\", got \"health\"");
  }

  @Test
  void rejectsABadDuration() {
    project.write("flaredeploy.toml", "[smoke]\ntimeout = \"30 seconds\"\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e.line()).hasValue(2);
    assertThat(e.key()).contains("smoke.timeout");
    assertThat(e)
        .hasMessageContaining("expected a duration such as \"30s\"")
        .hasMessageContaining("got \"30 seconds\"");
  }

  @Test
  void rejectsATimeoutWrittenAsABareNumber() {
    project.write("flaredeploy.toml", "[smoke]\ntimeout = 30\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e)
        .hasMessage(
            "flaredeploy.toml:2: smoke.timeout:"
                + " expected a duration such as \"30s\" (<n>ms, <n>s, <n>m or <n>h), got 30");
  }

  @Test
  void rejectsAZeroDuration() {
    project.write("flaredeploy.toml", "[smoke]\ntimeout = \"0ms\"\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e).hasMessageContaining("smoke.timeout: expected a duration greater than 0");
  }

  @Test
  void rejectsAStepThatCannotRestoreTheDatabase() {
    project.write(
        "flaredeploy.toml",
        "[compensation]\nrestore_database_on = [\"apply-migrations\", \"checkpoint\"]\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e)
        .hasMessage(
            "flaredeploy.toml:2: compensation.restore_database_on[1]: expected one of \"apply-migrations\","
                + " \"deploy-worker\", \"smoke-test\", got \"checkpoint\"");
  }

  @Test
  void acceptsAnEmptyRestoreListMeaningNeverRestore() {
    project.write("flaredeploy.toml", "[compensation]\nrestore_database_on = []\n");

    assertThat(loader.load(dir, "default").restoreDatabaseOn()).isEmpty();
  }

  @Test
  void rejectsAPortOutOfRange() {
    project.write("flaredeploy.toml", "[env.staging.local]\nport = 70000\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e)
        .hasMessage(
            "flaredeploy.toml:2: env.staging.local.port: expected an integer between 1 and 65535, got 70000");
  }

  @Test
  void rejectsAnUnknownTarget() {
    project.write("flaredeploy.toml", "target = \"aws\"\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e).hasMessage("flaredeploy.toml:1: target: expected one of \"local\", \"cloudflare\", got \"aws\"");
  }

  @Test
  void rejectsAnEnvironmentTheWranglerConfigDoesNotDefine() {
    project.write("flaredeploy.toml", "[local]\nport = 8787\n\n[env.prod.local]\nport = 8790\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e.line()).hasValue(4);
    assertThat(e.key()).contains("env.prod");
    assertThat(e).hasMessageContaining("no environment \"prod\" in wrangler.toml (it defines staging)");
  }

  @Test
  void checksEnvironmentSectionsThatAreNotSelected() {
    project.write("flaredeploy.toml", "[env.staging]\ntarget = 3\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e).hasMessage("flaredeploy.toml:2: env.staging.target: expected a string, got 3");
  }

  @Test
  void reportsMalformedFlaredeployTomlWithItsLine() {
    project.write("flaredeploy.toml", "[smoke]\ntimeout = \"30s\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e.line()).hasValue(2);
    assertThat(e).hasMessageStartingWith("flaredeploy.toml:2: not valid TOML: ");
  }

  // ---- [rollout] ----

  @Test
  void readsARolloutAndLetsAnEnvironmentChangeItsSoakOrTurnItOff() {
    project.write("flaredeploy.toml", """
        target = "cloudflare"
        [rollout]
        steps = [10, 50, 100]
        soak = "5m"
        [env.staging.rollout]
        soak = "30s"
        """);

    assertThat(loader.load(dir, "default").rolloutPlan())
        .isEqualTo(new RolloutPlan(List.of(10, 50, 100), 300_000));
    assertThat(loader.load(dir, "staging").rolloutPlan())
        .isEqualTo(new RolloutPlan(List.of(10, 50, 100), 30_000));

    project.write("flaredeploy.toml", """
        [rollout]
        steps = [25, 100]
        [env.staging.rollout]
        enabled = false
        """);
    assertThat(loader.load(dir, "default").rolloutPlan()).isEqualTo(new RolloutPlan(List.of(25, 100), 300_000));
    assertThat(loader.load(dir, "staging").rolloutPlan()).isNull();
  }

  @Test
  void noRolloutByDefault() {
    assertThat(loader.load(dir, "default").rolloutPlan()).isNull();
    assertThat(loader.load(dir, "staging").rollout()).isNull();
  }

  @Test
  void refusesRolloutStepsThatAreNotStrictlyIncreasingPercentagesEndingAt100() {
    assertThat(rolloutError("[rollout]\nsteps = [10, 50]\n")).hasMessage(
        "flaredeploy.toml:2: rollout.steps: expected the last step to be 100, so that the new version ends with all"
            + " the traffic; got 50 (add 100 at the end)");
    assertThat(rolloutError("[rollout]\nsteps = [50, 10, 100]\n")).hasMessage(
        "flaredeploy.toml:2: rollout.steps[1]: expected steps in increasing order, each larger than the one before;"
            + " got 10 after 50");
    assertThat(rolloutError("[rollout]\nsteps = [10, 10, 100]\n"))
        .hasMessageContaining("rollout.steps[1]: expected steps in increasing order");
    assertThat(rolloutError("[rollout]\nsteps = [0, 100]\n"))
        .hasMessage("flaredeploy.toml:2: rollout.steps[0]: expected an integer percentage between 1 and 100, got 0");
    assertThat(rolloutError("[rollout]\nsteps = [10, 150]\n"))
        .hasMessageContaining("rollout.steps[1]: expected an integer percentage between 1 and 100, got 150");
    assertThat(rolloutError("[rollout]\nsteps = [\"10%\", 100]\n"))
        .hasMessageContaining("rollout.steps[0]: expected an integer percentage between 1 and 100, got");
    assertThat(rolloutError("[rollout]\nsteps = []\n"))
        .hasMessageContaining("rollout.steps: expected at least one step, the last 100");
    assertThat(rolloutError("[rollout]\nsoak = \"5m\"\n")).hasMessage(
        "flaredeploy.toml:1: rollout.steps: missing; a rollout needs its traffic percentages, e.g. steps = [10, 50,"
            + " 100] (or set enabled = false to release at once in this environment)");
    assertThat(rolloutError("[rollout]\nsteps = [100]\nsoak = \"5 minutes\"\n"))
        .hasMessageStartingWith("flaredeploy.toml:3: rollout.soak: expected a duration such as \"30s\"");
    assertThat(rolloutError("[rollout]\nsteps = [100]\nsoke = \"5m\"\n"))
        .hasMessageContaining("rollout.soke: unknown key; did you mean \"soak\"?");
    assertThat(rolloutError("[env.staging.rollout]\nsteps = [10, 50]\n"))
        .hasMessageContaining("env.staging.rollout.steps: expected the last step to be 100");
  }

  @Test
  void aRolloutOnTheLocalTargetIsAConfigErrorAtItsSteps() {
    project.write("flaredeploy.toml", """
        [smoke]
        timeout = "10s"

        [env.staging.rollout]
        steps = [10, 100]
        """);
    LoadedProject staging = loader.load(dir, "staging");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> staging.requireTargetCanRollOut("local"));

    assertThat(e).hasMessage("flaredeploy.toml:5: env.staging.rollout.steps: a gradual rollout needs a target that"
        + " can split traffic between two versions, and the local target serves one release at a time; deploy with"
        + " --target cloudflare (or target = \"cloudflare\"), or turn the rollout off for this environment"
        + " ([env.staging.rollout] enabled = false)");
    staging.requireTargetCanRollOut("cloudflare"); // fine
    loader.load(dir, "default").requireTargetCanRollOut("local"); // no rollout there
  }

  private ConfigException rolloutError(String toml) {
    project.write("flaredeploy.toml", toml);
    return catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));
  }

  @Test
  void fleetParallelIsReadFromTheTopLevelForEveryEnvironment() {
    project.write("flaredeploy.toml", "[fleet]\nparallel = 6\n");

    assertThat(loader.load(dir, "default").fleetParallel()).isEqualTo(6);
    assertThat(loader.load(dir, "staging").fleetParallel()).isEqualTo(6);
    assertThat(loader.load(dir, "staging").environments()).containsExactly("default", "staging");
  }

  @Test
  void fleetParallelIsNullWhenNotSetAndRefusedOutOfRangeOrPerEnvironment() {
    assertThat(loader.load(dir, "default").fleetParallel()).isNull();

    project.write("flaredeploy.toml", "[fleet]\nparallel = 0\n");
    assertThat(catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default")).problem())
        .contains("an integer between 1 and 1000", "got 0");

    project.write("flaredeploy.toml", "[env.staging.fleet]\nparallel = 2\n");
    assertThat(catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default")).problem())
        .contains("whole fleet run", "top level");
  }

  @Test
  void serviceBindingsOfTheSelectedEnvironmentNameTheBoundWorkers() {
    project.write("wrangler.toml", WRANGLER + """
        [[env.staging.services]]
        binding = "AUTH"
        service = "auth-staging"
        entrypoint = "AuthApi"
        """);

    assertThat(loader.load(dir, "staging").services())
        .containsExactly(new ServiceBinding("AUTH", "auth-staging", null));
    assertThat(loader.load(dir, "default").services()).as("bindings are not inherited").isEmpty();
  }
}
