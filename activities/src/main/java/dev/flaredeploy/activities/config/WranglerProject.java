package dev.flaredeploy.activities.config;

import dev.flaredeploy.activities.config.WranglerConfigReader.D1Binding;
import dev.flaredeploy.activities.config.WranglerConfigReader.WranglerEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a project's wrangler config says about every environment at once (the top level and each {@code env.NAME}),
 * read and checked as for a deployment of each, without {@code flaredeploy.toml}: for commands that look at a
 * project as a whole, such as {@code flaredeploy init}.
 *
 * @param configFile the wrangler config that was read (the first of {@link #FILE_NAMES} that exists)
 * @param service the top-level {@code name}
 * @param environments the top level ({@code "default"}) first, then each wrangler environment in file order
 * @param warnings what is allowed but probably not meant, once per environment it concerns
 */
public record WranglerProject(Path configFile, String service, List<Environment> environments, List<String> warnings) {
  /** The names wrangler looks for in a project directory, in its order of preference. */
  public static final List<String> FILE_NAMES = WranglerConfigReader.FILE_NAMES;

  /**
   * One environment as wrangler resolves it.
   *
   * @param name {@code "default"} for the top level, else the wrangler environment's name
   * @param workerName the Worker's name in this environment
   */
  public record Environment(String name, String workerName, List<Database> databases) {}

  /**
   * One D1 binding of an environment; {@code databaseId} null when the config gives none.
   *
   * @param migrationsDir as written (relative to the config's directory), {@code "migrations"} by default
   */
  public record Database(
      String binding, String databaseName, String databaseId, String migrationsDir, String migrationsTable) {}

  public WranglerProject {
    environments = List.copyOf(environments);
    warnings = List.copyOf(warnings);
  }

  /**
   * Reads and checks the wrangler config of {@code projectDir} for every environment it defines.
   *
   * @throws ConfigException with file, line and key when there is no config, it does not parse, or an
   *     environment cannot be deployed as it is
   */
  public static WranglerProject read(Path projectDir) {
    Path dir = projectDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new ConfigException(dir, 0, null, "the project directory " + dir + " does not exist or is not a directory");
    }
    WranglerConfigReader reader = new WranglerConfigReader();
    WranglerEnvironment top = reader.read(dir, ProjectConfigLoader.DEFAULT_ENVIRONMENT);
    List<Environment> environments = new ArrayList<>();
    List<String> warnings = new ArrayList<>(top.warnings());
    environments.add(environment(top));
    for (String name : top.environmentNames()) {
      WranglerEnvironment env = reader.read(dir, name);
      env.warnings().stream().filter(w -> !warnings.contains(w)).forEach(warnings::add);
      environments.add(environment(env));
    }
    return new WranglerProject(top.configFile(), top.service(), environments, warnings);
  }

  /**
   * Every environment the wrangler config in {@code projectDir} can deploy, in file order: {@code "default"} (the
   * top level) first, then each {@code env.NAME}. Reads only the names, so one broken environment does not hide
   * the others.
   *
   * @throws ConfigException when there is no wrangler config or it does not parse
   */
  public static List<String> environmentNames(Path projectDir) {
    Path dir = projectDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new ConfigException(dir, 0, null, "the project directory " + dir + " does not exist or is not a directory");
    }
    List<String> names = new ArrayList<>();
    names.add(ProjectConfigLoader.DEFAULT_ENVIRONMENT);
    names.addAll(new WranglerConfigReader().environmentNames(dir));
    return List.copyOf(names);
  }

  /**
   * The service named by the wrangler config in {@code dir}, read without checking the rest; empty when there
   * is no config there or it cannot be read.
   */
  public static java.util.Optional<String> serviceIn(Path dir) {
    try {
      Path file = WranglerConfigReader.discover(dir, new ArrayList<>());
      return ConfigFiles.readByExtension(file).string("name").map(ConfigValue::value);
    } catch (ConfigException unreadable) {
      // not a project we can name
    }
    return java.util.Optional.empty();
  }

  private static Environment environment(WranglerEnvironment env) {
    List<Database> databases = new ArrayList<>();
    for (D1Binding d : env.databases()) {
      databases.add(new Database(d.binding(), d.databaseName(), d.databaseId(), d.migrationsDir(), d.migrationsTable()));
    }
    return new Environment(env.environment(), env.workerName(), databases);
  }
}
