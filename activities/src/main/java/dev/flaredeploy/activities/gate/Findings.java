package dev.flaredeploy.activities.gate;

import dev.flaredeploy.workflows.model.CheckFinding;
import dev.flaredeploy.workflows.model.CheckResult;
import java.util.ArrayList;
import java.util.List;

/** Collects one check's findings and makes its {@link CheckResult}: the outcome follows the severities. */
final class Findings {
  private final String check;
  private final String failureType;
  private final List<CheckFinding> findings = new ArrayList<>();

  /** @param failureType what a deployment this check blocks ends with; null for a check that only warns */
  Findings(String check, String failureType) {
    this.check = check;
    this.failureType = failureType;
  }

  Findings error(String database, String subject, String code, String message, List<String> details) {
    return add(CheckFinding.ERROR, database, subject, code, message, details);
  }

  Findings warning(String database, String subject, String code, String message) {
    return add(CheckFinding.WARNING, database, subject, code, message, List.of());
  }

  Findings warning(String database, String subject, String code, String message, List<String> details) {
    return add(CheckFinding.WARNING, database, subject, code, message, details);
  }

  Findings info(String database, String subject, String code, String message) {
    return add(CheckFinding.INFO, database, subject, code, message, List.of());
  }

  Findings info(String database, String subject, String code, String message, List<String> details) {
    return add(CheckFinding.INFO, database, subject, code, message, details);
  }

  private Findings add(String severity, String database, String subject, String code, String message,
      List<String> details) {
    findings.add(new CheckFinding(severity, database, subject, code, message, details));
    return this;
  }

  boolean blocks() {
    return findings.stream().anyMatch(CheckFinding::blocks);
  }

  boolean warns() {
    return findings.stream().anyMatch(f -> CheckFinding.WARNING.equals(f.severity()));
  }

  /** Blocked with an error, warned with a warning, else passed; {@code remedy} is kept unless it passed. */
  CheckResult result(String remedy) {
    String outcome = blocks() ? CheckResult.BLOCKED : warns() ? CheckResult.WARNED : CheckResult.PASSED;
    return new CheckResult(check, outcome, blocks() ? failureType : null, List.copyOf(findings),
        CheckResult.PASSED.equals(outcome) ? null : remedy);
  }

  /** The check does not apply to this deployment; {@code why} says so. */
  CheckResult skipped(String why) {
    return new CheckResult(check, CheckResult.SKIPPED, null,
        List.of(new CheckFinding(CheckFinding.INFO, null, null, null, why, List.of())), null);
  }
}
