package dev.flaredeploy.activities.safety;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A statement of a pending migration whose outcome depends on rows the live database holds and the shadow
 * (which has its schema only) does not: a UNIQUE index over existing rows, rows copied or computed into
 * columns with NOT NULL, CHECK or a foreign key, a referenced table dropped while rows refer to it. Either
 * a read-only {@link #probe} of the live database decides it, or {@link #undecided} says why none can.
 *
 * @param statement 1-based index of the statement in its file; {@code line} where it starts
 * @param constraint what the rows must satisfy, in words ({@code UNIQUE index notes_by_slug on
 *     notes(slug)})
 * @param probe a SELECT of the live database, bounded with {@code LIMIT}, whose rows are the offending keys;
 *     null when undecided
 * @param keyColumns the probe's result columns that identify an offending row or key, in order
 * @param keyLabels how to name each of {@code keyColumns} to a person (the column, or {@code rowid})
 * @param counted whether each probe row also has {@link #COUNT}: how many rows share the key
 * @param fails true: any row the probe returns makes the migration fail; false: those rows are changed
 *     or deleted by it (an {@code ON DELETE} action) while it succeeds
 * @param undecided why no probe can decide (the statement reads rows this deployment writes first, …);
 *     null when {@link #probe} decides
 */
public record DataDependency(
    String migration,
    int statement,
    int line,
    Kind kind,
    String constraint,
    String probe,
    List<String> keyColumns,
    List<String> keyLabels,
    boolean counted,
    boolean fails,
    String undecided) {

  /** The kinds of row the live database may hold that the migration cannot take. */
  public enum Kind {
    /** duplicates under a new (or newly filled) unique key */
    UNIQUE,
    /** NULL in a NOT NULL column */
    NOT_NULL,
    /** a row a CHECK refuses */
    CHECK,
    /** a reference to a row that does not exist */
    FOREIGN_KEY,
    /** rows of another table that refer to a table the migration drops */
    REFERENCED
  }

  /** The result column of a {@link #counted} probe: how many rows share the key. */
  public static final String COUNT = "flaredeploy_count";

  /** How many offending keys a probe returns at most, to name them; it asks for one more to know if there are. */
  public static final int KEYS_SHOWN = 5;

  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

  public DataDependency {
    keyColumns = List.copyOf(keyColumns);
    keyLabels = List.copyOf(keyLabels);
  }

  public boolean decidable() {
    return probe != null;
  }

  /** {@code 0004_unique_slug.sql (statement 2, line 5)} */
  public String where() {
    return migration + " (statement " + statement + ", line " + line + ")";
  }

  /**
   * One offending key of a probe's row, for a person: {@code slug = 'hello' (3 rows)}, {@code id = 42};
   * {@code a row} when the target has no key to name.
   */
  public String describe(Map<String, String> row) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < keyColumns.size(); i++) {
      parts.add(keyLabels.get(i) + " = " + literal(row.get(keyColumns.get(i))));
    }
    String key = parts.isEmpty() ? "a row" : String.join(", ", parts);
    if (counted && row.get(COUNT) != null) {
      key += " (" + row.get(COUNT) + " rows)";
    }
    return key;
  }

  private static String literal(String value) {
    if (value == null) {
      return "NULL";
    }
    return NUMBER.matcher(value).matches() ? value : "'" + value.replace("'", "''") + "'";
  }

  static DataDependency probe(String migration, SqlStatement statement, Kind kind, String constraint,
      String probe, List<String> keyColumns, List<String> keyLabels, boolean counted, boolean fails) {
    return new DataDependency(migration, statement.index(), statement.line(), kind, constraint, probe, keyColumns,
        keyLabels, counted, fails, null);
  }

  static DataDependency undecided(
      String migration, SqlStatement statement, Kind kind, String constraint, String why) {
    return new DataDependency(migration, statement.index(), statement.line(), kind, constraint, null, List.of(),
        List.of(), false, true, why);
  }
}
