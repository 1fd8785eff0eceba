package dev.flaredeploy.activities.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code account_id} a wrangler config gives one environment, as wrangler resolves it: the
 * environment's own {@code account_id}, else the top level's (it is inherited). wrangler prefers it over
 * {@code CLOUDFLARE_ACCOUNT_ID} (shared notes on wrangler §5), which is why a disagreement matters.
 */
public final class WranglerAccountId {
  private WranglerAccountId() {}

  /**
   * @param configFile a wrangler config ({@code .toml}, {@code .json} or {@code .jsonc})
   * @param environment {@value ProjectConfigLoader#DEFAULT_ENVIRONMENT} for the top level
   * @throws ConfigException when the file cannot be read or parsed
   */
  public static Optional<String> read(Path configFile, String environment) {
    return inherited(configFile, environment, "account_id");
  }

  /**
   * {@code compliance_region} of one environment ({@code public} or {@code fedramp_high}), inherited like
   * {@code account_id}; it decides the API's base URL wrangler uses.
   */
  public static Optional<String> complianceRegion(Path configFile, String environment) {
    return inherited(configFile, environment, "compliance_region");
  }

  /** A string key that environments inherit from the top level: the environment's own, else the top's. */
  private static Optional<String> inherited(Path configFile, String environment, String key) {
    ConfigTable top = ConfigFiles.readByExtension(configFile);
    Optional<String> own = Optional.empty();
    if (!ProjectConfigLoader.DEFAULT_ENVIRONMENT.equals(environment)) {
      own = top.table("env")
          .flatMap(envs -> envs.table(environment))
          .flatMap(env -> env.string(key))
          .map(ConfigValue::value);
    }
    return own.or(() -> top.string(key).map(ConfigValue::value))
        .map(String::trim)
        .filter(id -> !id.isEmpty());
  }
}
