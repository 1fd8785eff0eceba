package dev.flaredeploy.activities.safety;

import java.util.List;

/**
 * A foreign key of a table, as {@code PRAGMA foreign_key_list} describes it.
 *
 * @param columns the referencing columns of this table
 * @param table the referenced table
 * @param targetColumns the referenced columns; empty when the key names only the table (its primary key)
 */
public record ForeignKey(
    List<String> columns,
    String table,
    List<String> targetColumns,
    String onUpdate,
    String onDelete,
    String match) {

  public ForeignKey {
    columns = List.copyOf(columns);
    targetColumns = List.copyOf(targetColumns);
  }

  /** {@code (author_id) → users(id)} */
  public String describe() {
    return "("
        + String.join(", ", columns)
        + ") → "
        + table
        + (targetColumns.isEmpty() ? "" : "(" + String.join(", ", targetColumns) + ")");
  }
}
