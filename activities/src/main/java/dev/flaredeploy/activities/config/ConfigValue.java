package dev.flaredeploy.activities.config;

import java.nio.file.Path;

/**
 * A typed value read from a config file, with where it was written, so that a later check of its content
 * can still report file, line and key.
 */
record ConfigValue<T>(T value, Path file, int line, String key) {

  ConfigException error(String problem) {
    return new ConfigException(file, line, key, problem);
  }
}
