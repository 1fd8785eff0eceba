package dev.flaredeploy.activities.config;

import dev.flaredeploy.activities.config.FlaredeployConfigReader.FlaredeploySettings;
import dev.flaredeploy.activities.config.WranglerConfigReader.D1Binding;
import dev.flaredeploy.activities.config.WranglerConfigReader.WranglerEnvironment;
import dev.flaredeploy.workflows.model.DatabasePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads a project's configuration for one environment: the wrangler config ({@code wrangler.json}, {@code
 * wrangler.jsonc} or {@code wrangler.toml} in the project directory), the migrations of each D1 binding,
 * and the optional {@code flaredeploy.toml} beside it.
 *
 * <p>Reads files only; changes nothing and may be called any number of times. Every problem with the
 * configuration is a {@link ConfigException} saying file, line, key, what is wrong and how to fix it.
 */
public final class ProjectConfigLoader {
  /** The environment name that selects wrangler's top level (no {@code --env}). */
  public static final String DEFAULT_ENVIRONMENT = "default";

  private final WranglerConfigReader wrangler = new WranglerConfigReader();
  private final FlaredeployConfigReader flaredeploy = new FlaredeployConfigReader();

  /**
   * @param projectDir the directory holding the wrangler config (parent directories are not searched)
   * @param environment {@value #DEFAULT_ENVIRONMENT} for the top level, otherwise a wrangler environment
   * @throws ConfigException when the configuration cannot be used as it is
   */
  public LoadedProject load(Path projectDir, String environment) {
    Objects.requireNonNull(projectDir, "projectDir");
    Objects.requireNonNull(environment, "environment");
    Path dir = projectDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new ConfigException(
          dir, 0, null, "the project directory " + dir + " does not exist or is not a directory");
    }
    WranglerEnvironment env = wrangler.read(dir, environment);
    FlaredeploySettings settings =
        flaredeploy.read(
            dir, environment, env.configFile().getFileName().toString(), env.environmentNames());
    List<DatabasePlan> databases = new ArrayList<>();
    for (D1Binding binding : env.databases()) {
      databases.add(
          new DatabasePlan(
              binding.binding(),
              binding.databaseName(),
              binding.databaseId(),
              binding.migrationsDir(),
              binding.migrationsTable(),
              MigrationDirectory.list(binding.migrationsPath())));
    }
    return new LoadedProject(
        env.service(),
        environment,
        env.configFile(),
        env.workerName(),
        env.main(),
        databases,
        settings.smoke(),
        settings.restoreDatabaseOn(),
        settings.local(),
        settings.target(),
        env.warnings(),
        settings.onDrift(),
        settings.rollout(),
        settings.checkpointExport(),
        settings.policy());
  }
}
