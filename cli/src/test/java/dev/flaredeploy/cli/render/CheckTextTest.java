package dev.flaredeploy.cli.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.workflows.model.CheckFinding;
import dev.flaredeploy.workflows.model.CheckResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every check renders the same way, whatever it checked. */
class CheckTextTest {
  @Test
  void rendersEachCheckWithItsFindingsDetailsAndRemedyAndSkippedOnesOnOneLine() {
    List<CheckResult> results = List.of(
        new CheckResult("preflight", CheckResult.PASSED, null, List.of(), null),
        new CheckResult("data", CheckResult.BLOCKED, "DataConflict", List.of(
            new CheckFinding(CheckFinding.ERROR, "DB", "0003_x.sql", "unique", "DB 0003_x.sql fails", List.of(
                "slug = 'a' (2 rows)")),
            new CheckFinding(CheckFinding.WARNING, "DB", "0004_y.sql", "undecided", "DB 0004_y.sql undecided",
                List.of())), "make the rows fit\nor change the migration"),
        new CheckResult("rollout", CheckResult.SKIPPED, null, List.of(new CheckFinding(CheckFinding.INFO, null, null,
            null, "no [rollout] for this environment", List.of())), null));

    assertThat(CheckText.render(results, "  ")).isEqualTo("""
          ✓ preflight  passed
          ✗ data  blocked
              ✗ DB 0003_x.sql fails
                  slug = 'a' (2 rows)
              ! DB 0004_y.sql undecided
              → make the rows fit
                or change the migration
          - rollout: no [rollout] for this environment
        """);
  }
}
