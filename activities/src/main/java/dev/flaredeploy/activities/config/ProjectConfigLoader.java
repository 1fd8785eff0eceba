package dev.flaredeploy.activities.config;

import dev.flaredeploy.activities.config.FlaredeployConfigReader.FlaredeploySettings;
import dev.flaredeploy.activities.config.WranglerConfigReader.D1Binding;
import dev.flaredeploy.activities.config.WranglerConfigReader.WranglerEnvironment;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.MigrationAllowance;
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
              MigrationDirectory.list(binding.migrationsPath()),
              binding.localDatabaseId()));
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
        settings.policy(),
        allowances(settings.allowances(), databases, env),
        env.services(),
        settings.fleetParallel(),
        environments(env.environmentNames()));
  }

  /** Every environment a project can deploy, in the wrangler config's order: the top level first. */
  private static List<String> environments(List<String> named) {
    List<String> all = new ArrayList<>();
    all.add(DEFAULT_ENVIRONMENT);
    all.addAll(named);
    return List.copyOf(all);
  }

  /**
   * The allowances as the plan carries them, each checked against this environment: a named binding must
   * exist, and the file must be a migration of that binding (of some binding when none is named).
   */
  private static List<MigrationAllowance> allowances(
      List<FlaredeployConfigReader.Allowance> entries, List<DatabasePlan> databases, WranglerEnvironment env) {
    List<MigrationAllowance> allowances = new ArrayList<>();
    String where = env.configFile().getFileName()
        + (DEFAULT_ENVIRONMENT.equals(env.environment()) ? "" : " [env." + env.environment() + "]");
    for (FlaredeployConfigReader.Allowance entry : entries) {
      List<DatabasePlan> candidates = databases;
      if (entry.database() != null) {
        candidates = databases.stream().filter(d -> d.binding().equals(entry.database().value())).toList();
        if (candidates.isEmpty()) {
          throw entry.database().error("no D1 binding " + ConfigNode.quote(entry.database().value()) + " in "
              + where + " (its bindings: " + (databases.isEmpty() ? "none"
                  : String.join(", ", databases.stream().map(DatabasePlan::binding).toList()))
              + "); name the binding as wrangler's config does, or leave database out");
        }
      }
      String file = entry.file().value();
      boolean exists = candidates.stream().anyMatch(d -> d.migrations().stream().anyMatch(m -> m.name().equals(file)));
      if (!exists) {
        throw entry.file().error("no migration " + ConfigNode.quote(file) + " in " + (candidates.isEmpty()
            ? where + ", which has no D1 bindings" : String.join(", ", candidates.stream().map(d -> d.migrationsDir() + "/ (" + d.binding() + ")").toList()))
            + "; an allowance must name a file that exists there (check the spelling, or remove the allowance)");
      }
      allowances.add(new MigrationAllowance(file, entry.database() == null ? null : entry.database().value(),
          entry.reason()));
    }
    return List.copyOf(allowances);
  }
}
