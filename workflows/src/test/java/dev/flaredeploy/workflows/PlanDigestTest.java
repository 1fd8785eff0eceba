package dev.flaredeploy.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.workflows.model.CheckFinding;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.MigrationFile;
import dev.flaredeploy.workflows.model.PlanDigest;
import dev.flaredeploy.workflows.model.PolicyOverride;
import dev.flaredeploy.workflows.model.PolicySettings;
import dev.flaredeploy.workflows.model.SchemaReport;
import dev.flaredeploy.workflows.model.SourceSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The digest an approval is bound to: the same plan gives the same digest; each part of it changes it. */
class PlanDigestTest {
  private static DeploymentPlan plan(String source, String sha, List<PolicyOverride> overrides) {
    return new DeploymentPlan("svc", "production", "local",
        new SourceSnapshot(source, "/s", "c0ffee", false, "/p", List.of()), "wrangler.toml",
        List.of(new DatabasePlan("DB", "db", "id", "migrations", "d1_migrations",
            List.of(new MigrationFile("0001.sql", "a1"), new MigrationFile("0002.sql", sha)))),
        null, List.of(), null, 1, false, "warn", null, false, PolicySettings.NONE.withOverrides(overrides), List.of(),
        null, null, null);
  }

  private static SchemaReport schema(String live, List<String> pending, String drift) {
    List<CheckResult> results = drift == null ? List.of() : List.of(new CheckResult("drift", CheckResult.WARNED, null,
        List.of(new CheckFinding(CheckFinding.WARNING, "DB", "x", "drift", drift, List.of())), null));
    return SchemaReport.of(List.of(new DatabaseStatus("DB", List.of("0001.sql"), pending)), live, 1, results);
  }

  @Test
  void theSamePlanAndChecksGiveTheSameDigestAndEachPartChangesIt() {
    PlanDigest base = PlanDigest.of(plan("src-a", "b2", List.of()), schema("src-live", List.of("0002.sql"), null));

    assertThat(base.value()).hasSize(PlanDigest.LENGTH).matches("[0-9a-f]+");
    assertThat(PlanDigest.of(plan("src-a", "b2", List.of()), schema("src-live", List.of("0002.sql"), null)))
        .isEqualTo(base);
    assertThat(base.pending()).containsExactly("DB/0002.sql sha256:b2");
    List<PlanDigest> changed = List.of(
        PlanDigest.of(plan("src-b", "b2", List.of()), schema("src-live", List.of("0002.sql"), null)),
        PlanDigest.of(plan("src-a", "b3", List.of()), schema("src-live", List.of("0002.sql"), null)),
        PlanDigest.of(plan("src-a", "b2", List.of()), schema("src-other", List.of("0002.sql"), null)),
        PlanDigest.of(plan("src-a", "b2", List.of()), schema("src-live", List.of(), null)),
        PlanDigest.of(plan("src-a", "b2", List.of()), schema("src-live", List.of("0002.sql"), "column t.x by hand")),
        PlanDigest.of(plan("src-a", "b2", List.of(new PolicyOverride("freeze", "hotfix"))),
            schema("src-live", List.of("0002.sql"), null)));
    assertThat(changed).extracting(PlanDigest::value).doesNotContain(base.value()).doesNotHaveDuplicates();
    assertThat(changed.get(2).changesFrom(base)).containsExactly("the live release is now src-other (was src-live)");
    assertThat(changed.get(4).changesFrom(base)).containsExactly("new drift: column t.x by hand");
    assertThat(base.matches(base.value().toUpperCase() + " ")).isTrue();
  }

  @Test
  void aPlanWithFewerOfTheApprovedMigrationsIsWithinItAnythingElseIsNot() {
    PlanDigest approved = PlanDigest.of(plan("src-a", "b2", List.of()),
        schema("src-live", List.of("0002.sql", "0003.sql"), null));

    assertThat(PlanDigest.of(plan("src-a", "b2", List.of()), schema("src-live", List.of("0003.sql"), null))
        .within(approved)).as("another deployment applied 0002 meanwhile").isTrue();
    assertThat(PlanDigest.of(plan("src-a", "b2", List.of()), schema("src-live", List.of(), null)).within(approved))
        .isTrue();
    assertThat(PlanDigest.of(plan("src-a", "b9", List.of()), schema("src-live", List.of("0002.sql"), null))
        .within(approved)).as("0002 with other content").isFalse();
    assertThat(PlanDigest.of(plan("src-a", "b2", List.of()), schema("src-live", List.of("0004.sql"), null))
        .within(approved)).as("a migration nobody approved").isFalse();
    assertThat(PlanDigest.of(plan("src-a", "b2", List.of()), schema("src-live", List.of("0003.sql"), "by hand"))
        .within(approved)).as("drift since").isFalse();
    assertThat(PlanDigest.of(plan("src-a", "b2", List.of()), schema("src-other", List.of("0003.sql"), null))
        .within(approved)).as("another live release").isFalse();
  }
}
