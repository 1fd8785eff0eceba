package dev.flaredeploy.activities;

import dev.flaredeploy.activities.safety.Checksums;
import java.util.List;
import java.util.Map;

/**
 * Everything the pre-deploy checks read of one database, read once per run ({@link
 * DeploymentTarget#inspect}): never a copy of its data.
 *
 * @param exists false when the database was never created (a local environment never deployed); then
 *     every other component is empty and nothing was created by reading it
 * @param applied the migrations its ledger records, in the order they were applied
 * @param checksums flaredeploy's recorded checksums ({@link Checksums#TABLE}), by migration name; empty
 *     before the first record
 * @param schema its schema objects as {@code sqlite_master} lists them (tables, indexes, views, triggers),
 *     in {@code sqlite_master} order, without SQLite's own ({@code sqlite_…}) and D1's internal ({@code
 *     _cf_…}) objects
 */
public record DatabaseState(
    boolean exists, List<String> applied, Map<String, Checksums.Recorded> checksums, List<SchemaObject> schema) {

  /** The state of a database that does not exist yet. */
  public static final DatabaseState ABSENT = new DatabaseState(false, List.of(), Map.of(), List.of());

  /**
   * One row of {@code sqlite_master}.
   *
   * @param type {@code table}, {@code index}, {@code view} or {@code trigger}
   * @param sql the statement that created it; null for indexes SQLite made itself (autoindexes)
   */
  public record SchemaObject(String type, String name, String tableName, String sql) {}

  /**
   * The query that reads {@link #schema}: user objects of {@code sqlite_master} with their SQL, in the
   * order SQLite keeps them (which replays: a table before its indexes and triggers).
   */
  public static final String SCHEMA_QUERY =
      "SELECT type, name, tbl_name, sql FROM sqlite_master"
          + " WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'"
          + " ORDER BY rowid;";
}
