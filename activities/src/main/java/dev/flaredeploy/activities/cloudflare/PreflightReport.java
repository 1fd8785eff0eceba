package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.workflows.FailureTypes;
import java.util.List;

/**
 * What {@link CloudflareTarget#preflight} found before anything changed.
 *
 * @param problems what stops a deployment, each with how to fix it
 * @param warnings what is allowed but probably not meant
 */
public record PreflightReport(List<String> problems, List<String> warnings) {
  public PreflightReport {
    problems = List.copyOf(problems);
    warnings = List.copyOf(warnings);
  }

  public boolean ready() {
    return problems.isEmpty();
  }

  /** @throws CloudflareException ({@link FailureTypes#CONFIG_INVALID}, not retryable) listing every problem */
  public void requireReady() {
    if (!ready()) {
      throw new CloudflareException(FailureTypes.CONFIG_INVALID, false,
          "not ready to deploy to Cloudflare: " + String.join("; ", problems));
    }
  }
}
