package dev.flaredeploy.cli.client;

import java.nio.file.FileSystems;
import java.nio.file.Path;

/**
 * An {@code --env} value as a pattern over environment names: a glob ({@code *}, {@code ?}, {@code [..]}) or an
 * exact name. The one place that decides what a selection takes in, whether it is being resolved (a fleet's
 * members) or read back from a fleet id (which fleets a status or list asks about).
 */
public final class EnvironmentGlob {
  private EnvironmentGlob() {}

  /** Whether {@code environment} is a glob rather than one environment's name. */
  public static boolean isGlob(String environment) {
    return environment.contains("*") || environment.contains("?") || environment.contains("[");
  }

  /** Whether {@code pattern} (a glob or an exact name) takes in the environment {@code environment}. */
  public static boolean matches(String pattern, String environment) {
    if (!isGlob(pattern)) {
      return pattern.equals(environment);
    }
    return !environment.contains("/")
        && FileSystems.getDefault().getPathMatcher("glob:" + pattern).matches(Path.of(environment));
  }
}
