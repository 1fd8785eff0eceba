package dev.flaredeploy.activities.safety;

import java.util.List;
import java.util.stream.Collectors;

/**
 * An index of a table, as {@code PRAGMA index_list} and {@code index_xinfo} describe it, including those
 * SQLite creates for {@code UNIQUE} and {@code PRIMARY KEY} constraints ({@code sqlite_autoindex_…}).
 *
 * @param columns the key columns in order
 * @param where the normalized condition of a partial index, null for a full one
 */
public record Index(
    String name,
    String table,
    boolean unique,
    Origin origin,
    boolean partial,
    List<IndexColumn> columns,
    String where) {

  public Index {
    columns = List.copyOf(columns);
  }

  /** Why the index exists. */
  public enum Origin {
    /** {@code CREATE INDEX} ({@code c}). */
    CREATE_INDEX,
    /** a {@code UNIQUE} constraint ({@code u}). */
    UNIQUE_CONSTRAINT,
    /** a {@code PRIMARY KEY} constraint ({@code pk}). */
    PRIMARY_KEY;

    static Origin of(String code) {
      return switch (code) {
        case "u" -> UNIQUE_CONSTRAINT;
        case "pk" -> PRIMARY_KEY;
        default -> CREATE_INDEX;
      };
    }
  }

  /**
   * A key column.
   *
   * @param name the column, or {@code <expression>} for an expression
   * @param collation the collating sequence ({@code BINARY} by default)
   */
  public record IndexColumn(String name, boolean descending, String collation) {
    @Override
    public String toString() {
      return name
          + ("BINARY".equalsIgnoreCase(collation) ? "" : " COLLATE " + collation)
          + (descending ? " DESC" : "");
    }
  }

  /** The key column names. */
  public List<String> columnNames() {
    return columns.stream().map(IndexColumn::name).toList();
  }

  /** {@code UNIQUE INDEX notes_by_slug ON notes(slug) WHERE …} */
  public String describe() {
    String kind =
        switch (origin) {
          case CREATE_INDEX -> (unique ? "unique index " : "index ") + name;
          case UNIQUE_CONSTRAINT -> "UNIQUE constraint";
          case PRIMARY_KEY -> "PRIMARY KEY constraint";
        };
    return kind
        + " on "
        + table
        + "("
        + columns.stream().map(IndexColumn::toString).collect(Collectors.joining(", "))
        + ")"
        + (where == null ? "" : " WHERE " + where);
  }
}
