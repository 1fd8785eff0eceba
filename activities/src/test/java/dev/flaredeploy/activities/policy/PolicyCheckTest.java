package dev.flaredeploy.activities.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.FreezeWindow;
import dev.flaredeploy.workflows.model.LocalSettings;
import dev.flaredeploy.workflows.model.PolicyOverride;
import dev.flaredeploy.workflows.model.PolicyResult;
import dev.flaredeploy.workflows.model.PolicySettings;
import dev.flaredeploy.workflows.model.SmokePlan;
import dev.flaredeploy.workflows.model.SourceSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The pre-deploy policies, judged at fixed instants. 2025-06-13 is a Friday. */
class PolicyCheckTest {
  private static final FreezeWindow FRIDAY_AFTERNOON_UTC = new FreezeWindow("friday-afternoon",
      "no production deploys on Friday after 12:00 UTC", List.of("friday"), "12:00", "24:00", "UTC", null, null);
  private static final SourceSnapshot CLEAN_MAIN =
      new SourceSnapshot("src1", "/s/src1", "c0ffee0123456789", false, "/p", List.of("main"));

  @Test
  void fridayAfternoonFreezeStartsAtNoonUtcExactly() {
    PolicySettings policy = freeze(FRIDAY_AFTERNOON_UTC);

    PolicyResult before = only(policy, CLEAN_MAIN, "2025-06-13T11:59:59Z");
    PolicyResult at = only(policy, CLEAN_MAIN, "2025-06-13T12:00:00Z");

    assertThat(before.outcome()).isEqualTo(PolicyResult.PASSED);
    assertThat(at.outcome()).isEqualTo(PolicyResult.FAILED);
    assertThat(at.rule()).isEqualTo("freeze");
    assertThat(at.message()).contains("\"friday-afternoon\"", "no production deploys on Friday after 12:00 UTC",
        "friday 12:00–24:00 UTC", "Friday 2025-06-13 12:00 UTC");
  }

  @Test
  void fridayAfternoonFreezeEndsAtMidnightAndLeavesOtherDaysAlone() {
    PolicySettings policy = freeze(FRIDAY_AFTERNOON_UTC);

    assertThat(only(policy, CLEAN_MAIN, "2025-06-13T23:59:59Z").outcome()).isEqualTo(PolicyResult.FAILED);
    assertThat(only(policy, CLEAN_MAIN, "2025-06-14T00:00:00Z").outcome()).isEqualTo(PolicyResult.PASSED);
    assertThat(only(policy, CLEAN_MAIN, "2025-06-12T13:00:00Z").outcome()).as("Thursday").isEqualTo(PolicyResult.PASSED);
  }

  @Test
  void weeklyTimesAreInTheWindowsOwnTimeZone() {
    // 12:00 in Berlin is 10:00 UTC in summer (CEST) and 11:00 UTC in winter (CET)
    PolicySettings policy = freeze(new FreezeWindow("berlin-friday", null, List.of("friday"), "12:00", "24:00",
        "Europe/Berlin", null, null));

    assertThat(only(policy, CLEAN_MAIN, "2025-06-13T09:59:00Z").outcome()).isEqualTo(PolicyResult.PASSED);
    assertThat(only(policy, CLEAN_MAIN, "2025-06-13T10:00:00Z").outcome()).isEqualTo(PolicyResult.FAILED);
    assertThat(only(policy, CLEAN_MAIN, "2025-01-17T10:30:00Z").outcome()).as("winter").isEqualTo(PolicyResult.PASSED);
    assertThat(only(policy, CLEAN_MAIN, "2025-01-17T11:00:00Z").outcome()).as("winter").isEqualTo(PolicyResult.FAILED);
    // Friday 22:30 UTC is already Saturday 00:30 in Berlin
    assertThat(only(policy, CLEAN_MAIN, "2025-06-13T22:30:00Z").outcome()).isEqualTo(PolicyResult.PASSED);
    assertThat(only(policy, CLEAN_MAIN, "2025-06-13T10:00:00Z").message()).contains("Europe/Berlin");
  }

  @Test
  void weeklyWindowWhoseUntilIsNotAfterFromRunsIntoTheNextDay() {
    PolicySettings policy = freeze(new FreezeWindow("friday-night", null, List.of("friday"), "18:00", "06:00",
        "UTC", null, null));

    assertThat(only(policy, CLEAN_MAIN, "2025-06-13T17:59:00Z").outcome()).isEqualTo(PolicyResult.PASSED);
    assertThat(only(policy, CLEAN_MAIN, "2025-06-13T18:00:00Z").outcome()).isEqualTo(PolicyResult.FAILED);
    assertThat(only(policy, CLEAN_MAIN, "2025-06-14T05:59:00Z").outcome()).as("Saturday early").isEqualTo(PolicyResult.FAILED);
    assertThat(only(policy, CLEAN_MAIN, "2025-06-14T06:00:00Z").outcome()).isEqualTo(PolicyResult.PASSED);
    assertThat(only(policy, CLEAN_MAIN, "2025-06-13T05:00:00Z").outcome())
        .as("Friday early belongs to Thursday's night, which is not frozen").isEqualTo(PolicyResult.PASSED);
  }

  @Test
  void datedWindowIncludesItsStartAndExcludesItsEnd() {
    PolicySettings policy = freeze(new FreezeWindow("year-end", "holiday freeze", null, null, null, "UTC",
        "2025-12-20T00:00:00Z", "2026-01-05T00:00:00Z"));

    assertThat(only(policy, CLEAN_MAIN, "2025-12-19T23:59:59Z").outcome()).isEqualTo(PolicyResult.PASSED);
    assertThat(only(policy, CLEAN_MAIN, "2025-12-20T00:00:00Z").outcome()).isEqualTo(PolicyResult.FAILED);
    assertThat(only(policy, CLEAN_MAIN, "2026-01-04T23:59:59Z").outcome()).isEqualTo(PolicyResult.FAILED);
    assertThat(only(policy, CLEAN_MAIN, "2026-01-05T00:00:00Z").outcome()).isEqualTo(PolicyResult.PASSED);
    assertThat(only(policy, CLEAN_MAIN, "2025-12-24T12:00:00Z").message())
        .contains("\"year-end\"", "holiday freeze", "from 2025-12-20T00:00:00Z until 2026-01-05T00:00:00Z");
  }

  @Test
  void overriddenFreezeIsLetThroughWithItsReason() {
    PolicySettings policy = freeze(FRIDAY_AFTERNOON_UTC)
        .withOverrides(List.of(new PolicyOverride("freeze", "hotfix for INC-42")));

    PolicyResult result = only(policy, CLEAN_MAIN, "2025-06-13T15:00:00Z");

    assertThat(result.outcome()).isEqualTo(PolicyResult.OVERRIDDEN);
    assertThat(result.overrideReason()).isEqualTo("hotfix for INC-42");
    assertThat(result.message()).contains("friday-afternoon");
  }

  @Test
  void branchesAreMatchedExactlyOrByGlob() {
    PolicySettings policy = branches("main", "release/*", "hotfix/**");

    assertThat(only(policy, onBranch("main"), null).outcome()).isEqualTo(PolicyResult.PASSED);
    assertThat(only(policy, onBranch("release/1.2"), null).outcome()).isEqualTo(PolicyResult.PASSED);
    assertThat(only(policy, onBranch("hotfix/a/b"), null).outcome()).isEqualTo(PolicyResult.PASSED);
    assertThat(only(policy, onBranch("release/1.2/fix"), null).outcome()).as("* stops at /").isEqualTo(PolicyResult.FAILED);
    assertThat(only(policy, onBranch("mainline"), null).outcome()).isEqualTo(PolicyResult.FAILED);
    PolicyResult feature = only(policy, onBranch("feature/x"), null);
    assertThat(feature.outcome()).isEqualTo(PolicyResult.FAILED);
    assertThat(feature.message()).contains("branch feature/x is not allowed", "main, release/*, hotfix/**");
  }

  @Test
  void aCommitDeployedWithCommitPassesWhenAnAllowedBranchContainsIt() {
    PolicySettings policy = branches("main");
    SourceSnapshot onTwo = new SourceSnapshot("s", "/s", "abc", false, "/p", List.of("feature/x", "main"));
    SourceSnapshot onNone = new SourceSnapshot("s", "/s", "abc", false, "/p", List.of());

    assertThat(only(policy, onTwo, null).outcome()).isEqualTo(PolicyResult.PASSED);
    assertThat(only(policy, onNone, null).outcome()).isEqualTo(PolicyResult.FAILED);
    assertThat(only(policy, onNone, null).message()).contains("on no local branch", "detached HEAD");
  }

  @Test
  void sourceOutsideGitFailsTheBranchAndCleanTreeRules() {
    SourceSnapshot outside = new SourceSnapshot("s", "/s", null, false, "/p", List.of());
    PolicySettings policy = new PolicySettings(List.of(), List.of("main"), true, List.of(), List.of());

    List<PolicyResult> results = PolicyCheck.evaluate(plan(policy, outside), Instant.EPOCH, List::of);

    assertThat(results).extracting(PolicyResult::rule).containsExactly("branches", "clean_tree");
    assertThat(results).allSatisfy(r -> {
      assertThat(r.outcome()).isEqualTo(PolicyResult.FAILED);
      assertThat(r.message()).contains("not in a git repository");
    });
  }

  @Test
  void cleanTreeFailsOnUncommittedChanges() {
    PolicySettings policy = new PolicySettings(List.of(), null, true, List.of(), List.of());
    SourceSnapshot dirty = new SourceSnapshot("s", "/s", "abc", true, "/p/shop", List.of("main"));

    assertThat(only(policy, CLEAN_MAIN, null).outcome()).isEqualTo(PolicyResult.PASSED);
    PolicyResult result = only(policy, dirty, null);
    assertThat(result.outcome()).isEqualTo(PolicyResult.FAILED);
    assertThat(result.message()).contains("/p/shop has uncommitted changes", "--commit");
  }

  @Test
  void requiredSecretsAreCheckedByNameAndTheMessageSaysWhereToSetThem() {
    PolicySettings policy = new PolicySettings(List.of(), null, false, List.of("API_KEY", "SIGNING_KEY"), List.of());

    List<PolicyResult> present = PolicyCheck.evaluate(plan(policy, CLEAN_MAIN, "production", "local"),
        Instant.EPOCH, () -> List.of("SIGNING_KEY", "API_KEY", "OTHER"));
    List<PolicyResult> missingLocal = PolicyCheck.evaluate(plan(policy, CLEAN_MAIN, "production", "local"),
        Instant.EPOCH, () -> List.of("API_KEY"));
    List<PolicyResult> missingCloudflare = PolicyCheck.evaluate(plan(policy, CLEAN_MAIN, "production", "cloudflare"),
        Instant.EPOCH, List::of);

    assertThat(present).singleElement().extracting(PolicyResult::outcome).isEqualTo(PolicyResult.PASSED);
    assertThat(missingLocal).singleElement().satisfies(r -> {
      assertThat(r.outcome()).isEqualTo(PolicyResult.FAILED);
      assertThat(r.message()).contains("SIGNING_KEY", ".dev.vars.production or .dev.vars").doesNotContain("API_KEY,");
    });
    assertThat(missingCloudflare.get(0).message())
        .contains("API_KEY, SIGNING_KEY", "`wrangler secret put <NAME> --env production`");
  }

  @Test
  void rulesThatAreNotConfiguredAreNotCheckedAndSecretsAreNotListedForNothing() {
    List<String> asked = new ArrayList<>();
    Supplier<List<String>> secrets = () -> {
      asked.add("asked");
      return List.of();
    };

    assertThat(PolicyCheck.evaluate(plan(PolicySettings.NONE, CLEAN_MAIN), Instant.EPOCH, secrets)).isEmpty();
    assertThat(PolicyCheck.evaluate(plan(null, CLEAN_MAIN), Instant.EPOCH, secrets)).as("a plan from before policies").isEmpty();
    assertThat(asked).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------

  private static PolicyResult only(PolicySettings policy, SourceSnapshot source, String now) {
    List<PolicyResult> results = PolicyCheck.evaluate(plan(policy, source),
        now == null ? Instant.EPOCH : Instant.parse(now), List::of);
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  private static PolicySettings freeze(FreezeWindow window) {
    return new PolicySettings(List.of(window), null, false, List.of(), List.of());
  }

  private static PolicySettings branches(String... patterns) {
    return new PolicySettings(List.of(), List.of(patterns), false, List.of(), List.of());
  }

  private static SourceSnapshot onBranch(String branch) {
    return new SourceSnapshot("s", "/s", "abc", false, "/p", List.of(branch));
  }

  private static DeploymentPlan plan(PolicySettings policy, SourceSnapshot source) {
    return plan(policy, source, "production", "local");
  }

  private static DeploymentPlan plan(PolicySettings policy, SourceSnapshot source, String environment, String target) {
    return new DeploymentPlan("shop", environment, target, source, "wrangler.toml", List.of(),
        new SmokePlan(5_000, List.of(), null), List.of(), new LocalSettings(8787), 1, false, "warn", null, false,
        policy, List.of(), null, null, null);
  }
}
