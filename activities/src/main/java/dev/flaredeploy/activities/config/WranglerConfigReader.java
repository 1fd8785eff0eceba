package dev.flaredeploy.activities.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the parts of a wrangler config that flaredeploy needs, for one environment, as wrangler resolves
 * them (shared notes on wrangler §1 "Config keys", §5):
 *
 * <ul>
 *   <li>discovery in the project directory only: {@code wrangler.json} > {@code wrangler.jsonc} >
 *       {@code wrangler.toml}; JSON files may hold comments and trailing commas;
 *   <li>{@code name} is inherited by an environment as {@code <name>-<env>}, {@code main} as is;
 *       {@code d1_databases} is not inherited;
 *   <li>keys flaredeploy does not use are not looked at, so wrangler's many other keys are never errors.
 * </ul>
 */
final class WranglerConfigReader {
  /** Discovery order: the first that exists wins, as in wrangler's {@code findWranglerConfig}. */
  static final List<String> FILE_NAMES = List.of("wrangler.json", "wrangler.jsonc", "wrangler.toml");

  /** wrangler's {@code isValidName}, less the empty name. */
  private static final Pattern WORKER_NAME = Pattern.compile("[a-z0-9_ ][a-z0-9_ -]*");

  private static final Pattern JS_IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");
  private static final Pattern SQL_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Keys wrangler knows in a {@code d1_databases} entry; others get a warning, as wrangler gives. */
  private static final List<String> D1_KEYS =
      List.of(
          "binding",
          "database_name",
          "database_id",
          "preview_database_id",
          "migrations_dir",
          "migrations_table",
          "migrations_pattern",
          "database_internal_env",
          "remote");

  static final String DEFAULT_MIGRATIONS_DIR = "migrations";
  static final String DEFAULT_MIGRATIONS_TABLE = "d1_migrations";

  /** One {@code d1_databases} entry, defaults applied; {@code migrationsDir} as written. */
  record D1Binding(
      String binding,
      String databaseName,
      String databaseId,
      String migrationsDir,
      Path migrationsPath,
      String migrationsTable,
      String previewDatabaseId) {

    /**
     * The id wrangler's local mode ({@code d1 … --local}, {@code dev}) keeps this database under: {@code
     * preview_database_id ?? database_id ?? binding} (wrangler's {@code d1DatabaseEntry}).
     */
    String localDatabaseId() {
      return previewDatabaseId != null ? previewDatabaseId : databaseId != null ? databaseId : binding;
    }
  }

  /** What the wrangler config says about one environment. */
  record WranglerEnvironment(
      Path configFile,
      String service,
      String environment,
      String workerName,
      String main,
      List<D1Binding> databases,
      List<String> environmentNames,
      List<String> warnings,
      List<ServiceBinding> services) {}

  /** The environments the wrangler config in {@code projectDir} defines, in file order; reads nothing else. */
  List<String> environmentNames(Path projectDir) {
    Path configFile = discover(projectDir, new ArrayList<>());
    ConfigTable top = ConfigFiles.readByExtension(configFile);
    return List.copyOf(top.table("env").map(ConfigTable::subtables).orElse(Map.of()).keySet());
  }

  WranglerEnvironment read(Path projectDir, String environment) {
    List<String> warnings = new ArrayList<>();
    Path configFile = discover(projectDir, warnings);
    ConfigTable top = ConfigFiles.readByExtension(configFile);

    String service =
        top.string("name")
            .map(WranglerConfigReader::workerName)
            .orElseThrow(
                () ->
                    top.error(
                        "name",
                        "missing; flaredeploy names the service after the Worker: add "
                            + assignment(top, "name", "\"my-worker\"")
                            + " at the top level"));

    Map<String, ConfigTable> environments =
        top.table("env").map(ConfigTable::subtables).orElse(Map.of());
    List<String> environmentNames = List.copyOf(environments.keySet());

    ConfigTable selected;
    String workerName;
    if (ProjectConfigLoader.DEFAULT_ENVIRONMENT.equals(environment)) {
      selected = top;
      workerName = service;
    } else {
      selected = environments.get(environment);
      if (selected == null) {
        throw unknownEnvironment(top, environment, environmentNames);
      }
      workerName =
          selected.string("name").map(WranglerConfigReader::workerName).orElse(service + "-" + environment);
    }

    ConfigValue<String> main =
        selected
            .string("main")
            .or(() -> top.string("main"))
            .orElseThrow(
                () ->
                    top.error(
                        "main",
                        "missing; flaredeploy deploys the Worker script named by main: add "
                            + assignment(top, "main", "\"src/index.js\"")
                            + " (a path relative to "
                            + configFile.getFileName()
                            + ")"));
    Path mainPath = configFile.getParent().resolve(main.value()).normalize();
    if (!Files.isRegularFile(mainPath)) {
      throw main.error(
          ConfigNode.quote(main.value())
              + " is not a file (looked for "
              + mainPath
              + "); fix the path, which is relative to the directory of "
              + configFile.getFileName());
    }

    List<D1Binding> databases = databases(top, selected, environment, warnings);
    return new WranglerEnvironment(
        configFile, service, environment, workerName, main.value(), databases, environmentNames, warnings,
        services(selected));
  }

  /**
   * The wrangler config wrangler would read in {@code projectDir}: the first of {@link #FILE_NAMES} that exists
   * (a warning in {@code warnings} when there are more).
   *
   * @throws ConfigException when there is none
   */
  static Path discover(Path projectDir, List<String> warnings) {
    List<Path> found = new ArrayList<>();
    for (String name : FILE_NAMES) {
      Path candidate = projectDir.resolve(name);
      if (Files.isRegularFile(candidate)) {
        found.add(candidate);
      }
    }
    if (found.isEmpty()) {
      throw new ConfigException(
          projectDir,
          0,
          null,
          "no wrangler config in "
              + projectDir
              + "; expected one of "
              + String.join(", ", FILE_NAMES)
              + " in the project directory (parent directories are not searched)");
    }
    if (found.size() > 1) {
      warnings.add(
          "found "
              + found.stream().map(p -> p.getFileName().toString()).toList()
              + "; using "
              + found.get(0).getFileName()
              + " as wrangler does, the others are ignored");
    }
    return found.get(0);
  }

  private static String workerName(ConfigValue<String> name) {
    if (!WORKER_NAME.matcher(name.value()).matches()) {
      throw name.error(
          "expected a Worker name of lowercase letters, digits, dashes and underscores, got "
              + ConfigNode.quote(name.value())
              + "; wrangler rejects other names");
    }
    return name.value();
  }

  private static ConfigException unknownEnvironment(
      ConfigTable top, String environment, List<String> available) {
    String file = top.file().getFileName().toString();
    String choices =
        available.isEmpty()
            ? file + " defines no environments; use \"default\" for the top level, or add "
                + (top.syntax() == ConfigSyntax.TOML
                    ? "[env." + environment + "]"
                    : "\"env\": {\"" + environment + "\": {…}}")
            : "the available environments are "
                + String.join(", ", available.stream().map(ConfigNode::quote).toList())
                + ", and \"default\" for the top level";
    return new ConfigException(
        top.file(),
        0,
        "env",
        "no environment " + ConfigNode.quote(environment) + " in " + file + "; " + choices);
  }

  private static List<D1Binding> databases(
      ConfigTable top, ConfigTable selected, String environment, List<String> warnings) {
    if (selected != top && !selected.has("d1_databases")) {
      boolean topHasDatabases = top.tables("d1_databases").map(list -> !list.isEmpty()).orElse(false);
      if (topHasDatabases) {
        throw selected.error(notInherited(top, environment));
      }
    }
    List<D1Binding> bindings = new ArrayList<>();
    Map<String, ConfigValue<String>> seen = new HashMap<>();
    for (ConfigTable entry : selected.tables("d1_databases").orElse(List.of())) {
      ConfigValue<String> binding =
          entry
              .string("binding")
              .orElseThrow(
                  () ->
                      entry.error(
                          "binding",
                          "missing; every D1 database needs the name the Worker reaches it by: add "
                              + assignment(entry, "binding", "\"DB\"")));
      if (!JS_IDENTIFIER.matcher(binding.value()).matches()) {
        throw binding.error(
            "expected a JavaScript identifier (letters, digits, _ and $, not starting with a digit), got "
                + ConfigNode.quote(binding.value()));
      }
      for (String key : entry.keys()) {
        if (!D1_KEYS.contains(key)) {
          warnings.add(
              entry.file().getFileName()
                  + ":"
                  + entry.lineOf(key)
                  + ": "
                  + entry.keyOf(key)
                  + ": not a D1 setting wrangler knows, so it is ignored"
                  + Suggestions.nearest(key, D1_KEYS).map(k -> "; did you mean \"" + k + "\"?").orElse(""));
        }
      }
      ConfigValue<String> earlier = seen.putIfAbsent(binding.value(), binding);
      if (earlier != null) {
        throw binding.error(
            ConfigNode.quote(binding.value())
                + " is already bound by "
                + earlier.key()
                + " (line "
                + earlier.line()
                + "); each binding may appear once per environment, rename one of them");
      }
      Optional<String> databaseName = nonEmpty(entry.string("database_name"));
      Optional<String> databaseId = nonEmpty(entry.string("database_id"));
      Optional<String> previewDatabaseId = nonEmpty(entry.string("preview_database_id"));
      if (databaseName.isEmpty() && databaseId.isEmpty()) {
        throw entry.error(
            "binding "
                + ConfigNode.quote(binding.value())
                + " names no database; add database_name (and database_id, which deploying to Cloudflare needs)");
      }
      ConfigValue<String> migrationsDir =
          entry.string("migrations_dir").orElse(null);
      String dir = migrationsDir == null ? DEFAULT_MIGRATIONS_DIR : migrationsDir.value();
      if (dir.isBlank()) {
        throw migrationsDir.error("must not be empty; remove it to use \"migrations\"");
      }
      Path migrationsPath = top.file().getParent().resolve(dir).normalize();
      if (Files.exists(migrationsPath) && !Files.isDirectory(migrationsPath)) {
        String problem =
            migrationsPath + " is not a directory; migrations_dir must name the directory of the *.sql files";
        throw migrationsDir == null ? entry.error("migrations_dir", problem) : migrationsDir.error(problem);
      }
      if (!Files.exists(migrationsPath)) {
        warnings.add(
            entry.keyOf("migrations_dir")
                + ": "
                + migrationsPath
                + " does not exist, so binding "
                + binding.value()
                + " has no migrations");
      }
      String table =
          entry
              .string("migrations_table")
              .map(
                  value -> {
                    if (!SQL_IDENTIFIER.matcher(value.value()).matches()) {
                      throw value.error(
                          "expected a plain SQL table name (letters, digits and _, not starting with a digit), got "
                              + ConfigNode.quote(value.value()));
                    }
                    return value.value();
                  })
              .orElse(DEFAULT_MIGRATIONS_TABLE);
      bindings.add(
          new D1Binding(
              binding.value(), databaseName.orElse(null), databaseId.orElse(null), dir, migrationsPath, table,
              previewDatabaseId.orElse(null)));
    }
    return bindings;
  }

  /**
   * {@code services} of the selected environment (bindings are not inherited, as in wrangler): each names the
   * bound Worker by {@code service}. Keys flaredeploy does not use (entrypoint, props) are not looked at.
   */
  private static List<ServiceBinding> services(ConfigTable selected) {
    List<ServiceBinding> services = new ArrayList<>();
    for (ConfigTable entry : selected.tables("services").orElse(List.of())) {
      ConfigValue<String> service = entry.string("service").orElseThrow(() -> entry.error("service",
          "missing; a service binding names the Worker it binds: add " + assignment(entry, "service",
              "\"other-worker\"")));
      services.add(new ServiceBinding(entry.string("binding").map(ConfigValue::value).orElse(null), service.value(),
          entry.string("environment").map(ConfigValue::value).orElse(null)));
    }
    return List.copyOf(services);
  }

  private static Optional<String> nonEmpty(Optional<ConfigValue<String>> value) {
    value.filter(v -> v.value().isBlank()).ifPresent(v -> {
      throw v.error("must not be empty; remove the key or give it a value");
    });
    return value.map(ConfigValue::value);
  }

  private static String notInherited(ConfigTable top, String environment) {
    String repeat =
        top.syntax() == ConfigSyntax.TOML
            ? "repeat each binding under [[env." + environment + ".d1_databases]]"
            : "repeat each binding in \"env\": {\"" + environment + "\": {\"d1_databases\": [ … ]}}";
    return "d1_databases is defined at the top level but not in this environment, and wrangler does not"
        + " inherit d1_databases into environments; "
        + repeat
        + " with binding, database_name and database_id of the "
        + environment
        + " database (or set "
        + assignment(top, "d1_databases", "[]")
        + " there if this environment has no database)";
  }

  /** How to write {@code key = value} in the table's syntax, for hints. */
  private static String assignment(ConfigTable table, String key, String value) {
    return table.syntax() == ConfigSyntax.TOML ? key + " = " + value : "\"" + key + "\": " + value;
  }
}
