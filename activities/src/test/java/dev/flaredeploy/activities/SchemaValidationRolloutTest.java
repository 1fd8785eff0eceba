package dev.flaredeploy.activities;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.LocalSettings;
import dev.flaredeploy.workflows.model.MigrationCheck;
import dev.flaredeploy.workflows.model.RolloutPlan;
import dev.flaredeploy.workflows.model.SchemaReport;
import dev.flaredeploy.workflows.model.SmokeCheck;
import dev.flaredeploy.workflows.model.SmokePlan;
import dev.flaredeploy.workflows.model.SourceSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link SchemaValidation#blocked}: when a gradual rollout may follow the pending migrations. */
class SchemaValidationRolloutTest {
  private static final RolloutPlan ROLLOUT = new RolloutPlan(List.of(10, 50, 100), 300_000);
  private static final String NEW_SOURCE = "src-new";

  @Test
  void additiveNeutralAndSchemaFreeMigrationsMayBeRolledOut() {
    SchemaReport report = report("src-old", List.of("0002_a.sql", "0003_b.sql", "0004_c.sql"), List.of(
        check("0002_a.sql", "ADDITIVE"), check("0003_b.sql", "NEUTRAL"), check("0004_c.sql", "NO_SCHEMA_CHANGE")));

    assertThat(SchemaValidation.blocked(report, plan("production", ROLLOUT))).isEmpty();
  }

  @Test
  void aDestructiveMigrationRefusesTheRolloutEvenWhenDestructiveChangesAreAllowed() {
    SchemaReport report = report("src-old", List.of("0002_a.sql", "0003_drop.sql"), List.of(
        check("0002_a.sql", "ADDITIVE"), check("0003_drop.sql", "DESTRUCTIVE")));

    String why = SchemaValidation.blocked(report, plan("production", ROLLOUT)).orElseThrow();

    assertThat(why).contains(
        "the gradual rollout ([rollout]) is refused: until its last step the previous version keeps serving part"
            + " of the traffic on the new schema",
        "\n    DB 0003_drop.sql: DESTRUCTIVE",
        "either deploy this release without a rollout ([env.production.rollout] enabled = false in"
            + " flaredeploy.toml)",
        "or split the migration")
        .doesNotContain("0002_a.sql");
  }

  @Test
  void pendingMigrationsThatCouldNotBeCheckedInAShadowRefuseTheRollout() {
    SchemaReport report = report("src-old", List.of("0002_a.sql"), List.of());

    assertThat(SchemaValidation.blocked(report, plan("default", ROLLOUT)).orElseThrow())
        .contains("DB 0002_a.sql: not checked in a shadow", "([rollout] enabled = false in flaredeploy.toml)");
  }

  @Test
  void withoutARolloutOrWithoutANewReleaseTheRolloutRuleDoesNotApply() {
    SchemaReport unchecked = report("src-old", List.of("0002_a.sql"), List.of());
    assertThat(SchemaValidation.blocked(unchecked, plan("default", null))).isEmpty();

    SchemaReport sourceLive = report(NEW_SOURCE, List.of("0002_a.sql"), List.of());
    assertThat(SchemaValidation.blocked(sourceLive, plan("default", ROLLOUT))).isEmpty();

    SchemaReport nothingPending = report("src-old", List.of(), List.of());
    assertThat(SchemaValidation.blocked(nothingPending, plan("default", ROLLOUT))).isEmpty();
  }

  private static MigrationCheck check(String migration, String classification) {
    return new MigrationCheck("DB", migration, classification, false, List.of(), null);
  }

  private static SchemaReport report(String liveSource, List<String> pending, List<MigrationCheck> checks) {
    return new SchemaReport(List.of(new DatabaseStatus("DB", List.of("0001_init.sql"), pending)), liveSource, 1,
        checks, List.of(), List.of(), List.of(), List.of(), List.of());
  }

  private static DeploymentPlan plan(String environment, RolloutPlan rollout) {
    return new DeploymentPlan("svc", environment, "cloudflare",
        new SourceSnapshot(NEW_SOURCE, "/s/" + NEW_SOURCE, null, false, "/p", List.of()), "wrangler.toml",
        List.of(new DatabasePlan("DB", "db", "id", "migrations", "d1_migrations", List.of())),
        new SmokePlan(30_000, List.of(new SmokeCheck("/health", null, null)), null), List.of("apply-migrations"),
        new LocalSettings(8787), 1, true, "warn", rollout, false, null, List.of());
  }
}
