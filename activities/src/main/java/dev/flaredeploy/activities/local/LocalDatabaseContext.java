package dev.flaredeploy.activities.local;

import dev.flaredeploy.workflows.model.DatabasePlan;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Which local database a {@link LocalDatabases} call works on.
 *
 * @param stateDir the environment's persistent state ({@link LocalWorkspace#stateDir}): what {@code wrangler
 *     dev} gets as {@code --persist-to}
 * @param database the binding, as the plan resolved it for this environment
 * @param localId the id wrangler's local mode keeps the database under ({@code preview_database_id ??
 *     database_id ?? binding}); it names the database's file ({@link D1Files#database})
 * @param migrationsDir the binding's migrations directory in the pinned source, where {@link
 *     LocalDatabases#applyMigrations} reads the files the plan lists; null when only reading
 * @param file the database's SQLite file: in the shared place ({@link SharedD1}), or (an environment whose
 *     databases have not moved there yet, or a bare state dir) the one under {@code stateDir}
 */
public record LocalDatabaseContext(
    Path stateDir, DatabasePlan database, String localId, Path migrationsDir, Path file) {
  static final String DEFAULT_MIGRATIONS_TABLE = "d1_migrations";

  public LocalDatabaseContext {
    stateDir = Objects.requireNonNull(stateDir, "stateDir").toAbsolutePath().normalize();
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(database.binding(), "database.binding");
    Objects.requireNonNull(localId, "localId");
    migrationsDir = migrationsDir == null ? null : migrationsDir.toAbsolutePath().normalize();
    file = (file == null ? D1Files.database(stateDir, localId) : file).toAbsolutePath().normalize();
  }

  /** The database {@code localId} in {@code stateDir}'s own D1 state ({@code wrangler --persist-to stateDir}). */
  public LocalDatabaseContext(Path stateDir, DatabasePlan database, String localId, Path migrationsDir) {
    this(stateDir, database, localId, migrationsDir, null);
  }

  /** The binding's database, named by the plan's local id (else {@code database_id ?? binding}). */
  public LocalDatabaseContext(Path stateDir, DatabasePlan database, Path migrationsDir) {
    this(stateDir, database, localIdOf(database), migrationsDir, null);
  }

  public String binding() {
    return database.binding();
  }

  /** The ledger table wrangler keeps for this binding ({@code migrations_table}, default d1_migrations). */
  public String migrationsTable() {
    String table = database.migrationsTable();
    return table == null || table.isBlank() ? DEFAULT_MIGRATIONS_TABLE : table;
  }

  private static String localIdOf(DatabasePlan database) {
    if (database.localDatabaseId() != null) {
      return database.localDatabaseId();
    }
    return defaultLocalId(database);
  }

  /**
   * The id wrangler's local mode keeps a database under when it has no {@code preview_database_id}: its
   * {@code database_id}, else its binding.
   */
  static String defaultLocalId(DatabasePlan database) {
    return database.databaseId() != null ? database.databaseId() : database.binding();
  }
}
