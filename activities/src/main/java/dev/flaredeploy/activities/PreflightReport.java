package dev.flaredeploy.activities;

import java.util.List;

/**
 * What a target's preflight ({@link DeploymentTarget#preflight}) found before anything was read or changed.
 *
 * @param problems what stops a deployment, each with how to fix it
 * @param warnings what is allowed but probably not meant
 */
public record PreflightReport(List<String> problems, List<String> warnings) {
  /** Nothing to report: what a target without preflight checks returns. */
  public static final PreflightReport READY = new PreflightReport(List.of(), List.of());

  public PreflightReport {
    problems = List.copyOf(problems);
    warnings = List.copyOf(warnings);
  }

  public boolean ready() {
    return problems.isEmpty();
  }
}
