package dev.flaredeploy.activities.local;

import dev.flaredeploy.workflows.model.DatabasePlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which local database a {@link LocalDatabases} call works on, and where wrangler runs for it.
 *
 * @param workdir the working copy wrangler runs in ({@link LocalWorkspace#workdir}); its {@code
 *     .wrangler/state} must be a link to {@code stateDir}, because {@code d1 export} only reads there
 * @param configFile the wrangler config, relative to {@code workdir} (e.g. {@code wrangler.toml})
 * @param environment the wrangler environment; {@value #DEFAULT_ENVIRONMENT} means the top level
 * @param stateDir the environment's persistent state ({@link LocalWorkspace#stateDir}), passed as {@code
 *     --persist-to} to every d1 command that accepts it
 * @param database the binding, as the plan resolved it for this environment
 */
public record LocalDatabaseContext(
    Path workdir, String configFile, String environment, Path stateDir, DatabasePlan database) {
  /** The environment name that selects wrangler's top-level configuration (no {@code --env}). */
  public static final String DEFAULT_ENVIRONMENT = "default";

  static final String DEFAULT_MIGRATIONS_TABLE = "d1_migrations";

  public LocalDatabaseContext {
    workdir = Objects.requireNonNull(workdir, "workdir").toAbsolutePath().normalize();
    Objects.requireNonNull(configFile, "configFile");
    Objects.requireNonNull(environment, "environment");
    stateDir = Objects.requireNonNull(stateDir, "stateDir").toAbsolutePath().normalize();
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(database.binding(), "database.binding");
  }

  public String binding() {
    return database.binding();
  }

  /** Absolute path of the config in the working copy: what {@code -c} gets. */
  public Path config() {
    return workdir.resolve(configFile).toAbsolutePath().normalize();
  }

  /** The ledger table wrangler keeps for this binding ({@code migrations_table}, default d1_migrations). */
  public String migrationsTable() {
    String table = database.migrationsTable();
    return table == null || table.isBlank() ? DEFAULT_MIGRATIONS_TABLE : table;
  }

  /** {@code d1 <command…> <BINDING> -c <config> [--env E]} */
  List<String> d1(String... command) {
    List<String> args = new ArrayList<>();
    args.add("d1");
    args.addAll(List.of(command));
    args.addAll(List.of(binding(), "-c", config().toString()));
    if (!DEFAULT_ENVIRONMENT.equals(environment)) {
      args.add("--env");
      args.add(environment);
    }
    return args;
  }

  /** {@link #d1} plus {@code --local --persist-to <stateDir>} (--persist-to is refused without --local). */
  List<String> d1Local(String... command) {
    List<String> args = d1(command);
    args.addAll(List.of("--local", "--persist-to", stateDir.toString()));
    return args;
  }
}
