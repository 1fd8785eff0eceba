package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What one pre-deploy check (preflight, policies, checksums, migrations, data, drift, rollout,
 * migration-files) found; every check reports through this one shape, and {@code plan}, the
 * validate-schema step and the report render it without knowing the check.
 *
 * @param check the check's stable name, e.g. {@code drift}
 * @param outcome {@link #PASSED}, {@link #WARNED} (a warning finding, nothing blocks), {@link #BLOCKED} (an
 *     error finding: the deployment stops before anything changes) or {@link #SKIPPED} (did not apply to
 *     this deployment; the findings say why)
 * @param failureType the failure type the deployment ends with when this check blocks it; null otherwise
 * @param findings what it found, most severe first within each database
 * @param remedy what to do about the findings (fix, override or accept), for a person; null when nothing
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CheckResult(
    String check, String outcome, String failureType, List<CheckFinding> findings, String remedy) {
  public static final String PASSED = "passed";
  public static final String WARNED = "warned";
  public static final String BLOCKED = "blocked";
  public static final String SKIPPED = "skipped";

  public boolean blocks() {
    return BLOCKED.equals(outcome);
  }

  /**
   * What of {@code results} is worth keeping in a deployment's report: the checks that warned or blocked,
   * with their warnings and errors only (the report travels in the memo on every step, so it stays small).
   */
  public static List<CheckResult> worthReporting(List<CheckResult> results) {
    if (results == null) {
      return List.of();
    }
    return results.stream()
        .filter(r -> WARNED.equals(r.outcome()) || BLOCKED.equals(r.outcome()))
        .map(r -> new CheckResult(r.check(), r.outcome(), r.failureType(),
            r.findings() == null ? List.of()
                : r.findings().stream().filter(f -> !CheckFinding.INFO.equals(f.severity())).toList(),
            r.remedy()))
        .toList();
  }
}
