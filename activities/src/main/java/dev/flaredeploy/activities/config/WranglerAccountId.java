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
    ConfigTable top = configFile.getFileName().toString().endsWith(".toml")
        ? ConfigFiles.readToml(configFile)
        : ConfigFiles.readJson(configFile);
    Optional<String> own = Optional.empty();
    if (!ProjectConfigLoader.DEFAULT_ENVIRONMENT.equals(environment)) {
      own = top.table("env")
          .flatMap(envs -> envs.table(environment))
          .flatMap(env -> env.string("account_id"))
          .map(ConfigValue::value);
    }
    return own.or(() -> top.string("account_id").map(ConfigValue::value))
        .map(String::trim)
        .filter(id -> !id.isEmpty());
  }
}
