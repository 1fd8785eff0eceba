package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What one configured policy rule said about a deployment.
 *
 * @param rule one of {@link PolicySettings#RULES}
 * @param outcome {@link #PASSED}, {@link #FAILED} (blocks the deployment) or {@link #OVERRIDDEN} (would
 *     have failed; let through by {@code --override})
 * @param message what was checked and seen, for a person
 * @param overrideReason the reason given with the override, when overridden
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PolicyResult(String rule, String outcome, String message, String overrideReason) {
  public static final String PASSED = "passed";
  public static final String FAILED = "failed";
  public static final String OVERRIDDEN = "overridden";

  public boolean failed() {
    return FAILED.equals(outcome);
  }
}
