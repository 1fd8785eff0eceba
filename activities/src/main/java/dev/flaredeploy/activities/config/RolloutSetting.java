package dev.flaredeploy.activities.config;

import dev.flaredeploy.workflows.model.RolloutPlan;
import java.nio.file.Path;

/**
 * The {@code [rollout]} that applies to an environment, with where it was written, so that a rule that
 * depends on more than the file (the target it is deployed to) can still name file, line and key.
 *
 * @param plan the steps and the soak
 * @param file flaredeploy.toml
 * @param line the line of {@code steps}
 * @param key the dotted key of {@code steps}, e.g. {@code env.production.rollout.steps}
 */
public record RolloutSetting(RolloutPlan plan, Path file, int line, String key) {

  /** A problem with this rollout, at its {@code steps}. */
  public ConfigException error(String problem) {
    return new ConfigException(file, line, key, problem);
  }
}
