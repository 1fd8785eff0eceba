package dev.flaredeploy.activities.safety;

import java.util.List;
import java.util.Optional;

/**
 * A table: its columns in order, its indexes by name, its foreign keys and {@code CHECK} constraints.
 *
 * @param checks each {@code CHECK} constraint's condition, normalized ({@link SqlLexer#normalize})
 * @param virtualModule the module of a virtual table ({@code fts5}), null for an ordinary one
 */
public record Table(
    String name,
    List<Column> columns,
    List<Index> indexes,
    List<ForeignKey> foreignKeys,
    List<String> checks,
    boolean withoutRowid,
    boolean strict,
    String virtualModule) {

  public Table {
    columns = List.copyOf(columns);
    indexes = List.copyOf(indexes);
    foreignKeys = List.copyOf(foreignKeys);
    checks = List.copyOf(checks);
  }

  public Optional<Column> column(String columnName) {
    return columns.stream().filter(c -> c.name().equalsIgnoreCase(columnName)).findFirst();
  }

  public Optional<Index> index(String indexName) {
    return indexes.stream().filter(i -> i.name().equalsIgnoreCase(indexName)).findFirst();
  }

  public List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }

  /** The primary key's columns in key order; empty for a table keyed by its rowid only. */
  public List<String> primaryKey() {
    return columns.stream()
        .filter(c -> c.primaryKeyPosition() > 0)
        .sorted(java.util.Comparator.comparingInt(Column::primaryKeyPosition))
        .map(Column::name)
        .toList();
  }
}
