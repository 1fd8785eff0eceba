package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One D1 binding of the selected environment, as wrangler resolves it.
 *
 * @param migrationsDir relative to the config file's directory (default {@code migrations})
 * @param migrations the migration files in wrangler's order
 * @param localDatabaseId the id wrangler's local mode keeps this database under ({@code
 *     preview_database_id ?? database_id ?? binding}); null in plans recorded before it was added
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DatabasePlan(
    String binding,
    String databaseName,
    String databaseId,
    String migrationsDir,
    String migrationsTable,
    List<MigrationFile> migrations,
    String localDatabaseId) {

  /** A binding whose local id is not known (as in plans recorded before it was added). */
  public DatabasePlan(String binding, String databaseName, String databaseId, String migrationsDir,
      String migrationsTable, List<MigrationFile> migrations) {
    this(binding, databaseName, databaseId, migrationsDir, migrationsTable, migrations, null);
  }
}
