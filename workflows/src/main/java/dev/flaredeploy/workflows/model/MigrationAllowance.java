package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A destructive or renaming migration let through by {@code [[migrations.allow]]} in flaredeploy.toml,
 * without {@code --allow-destructive}.
 *
 * @param file the migration's file name, as in the migrations directory
 * @param database the binding it is allowed on; null for every binding that has the file
 * @param reason why, as the project wrote it (shown in the plan and the report)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MigrationAllowance(String file, String database, String reason) {

  /** True when this allowance covers {@code file} on {@code binding}. */
  public boolean covers(String binding, String migration) {
    return file.equals(migration) && (database == null || database.equals(binding));
  }
}
