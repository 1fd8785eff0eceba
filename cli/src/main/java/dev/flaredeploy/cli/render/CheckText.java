package dev.flaredeploy.cli.render;

import dev.flaredeploy.workflows.model.CheckFinding;
import dev.flaredeploy.workflows.model.CheckResult;
import java.util.List;

/** The pre-deploy checks' results as text, whatever the check: one line per check, then its findings. */
public final class CheckText {
  private CheckText() {}

  /**
   * <pre>
   *     ✗ data  blocked
   *         ✗ DB 0004_unique_slug.sql (statement 1, line 1) fails on the rows the database holds: …
   *             slug = 'a' (2 rows)
   *         → make the rows fit before this migration runs …
   * </pre>
   *
   * @param indent put before every line
   */
  public static String render(List<CheckResult> results, String indent) {
    StringBuilder out = new StringBuilder();
    for (CheckResult result : results) {
      if (CheckResult.SKIPPED.equals(result.outcome())) {
        out.append(indent).append("- ").append(result.check()).append(": ")
            .append(result.findings().isEmpty() ? "skipped" : result.findings().get(0).message()).append('\n');
        continue;
      }
      out.append(indent).append(mark(result)).append(' ').append(result.check()).append("  ")
          .append(result.outcome()).append('\n');
      for (CheckFinding finding : result.findings()) {
        out.append(indent).append("    ").append(mark(finding)).append(' ').append(finding.message()).append('\n');
        finding.details().forEach(d -> out.append(indent).append("        ").append(d).append('\n'));
      }
      if (result.remedy() != null) {
        out.append(indent).append("    → ").append(result.remedy().replace("\n", "\n" + indent + "      "))
            .append('\n');
      }
    }
    return out.toString();
  }

  private static String mark(CheckResult result) {
    return switch (result.outcome()) {
      case CheckResult.BLOCKED -> "✗";
      case CheckResult.WARNED -> "!";
      default -> "✓";
    };
  }

  private static String mark(CheckFinding finding) {
    return switch (finding.severity()) {
      case CheckFinding.ERROR -> "✗";
      case CheckFinding.WARNING -> "!";
      default -> "·";
    };
  }
}
