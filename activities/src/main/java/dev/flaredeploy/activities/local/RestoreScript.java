package dev.flaredeploy.activities.local;

import dev.flaredeploy.activities.safety.SqlStatements;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The SQL that puts a local D1 database back to a {@code d1 export}: drop every user object, then replay
 * the export, all in one {@code d1 execute --local --file} (one {@code db.batch}, so all or nothing).
 * Pure: the caller lists the current objects with {@link #LIST_OBJECTS} and runs the result.
 */
final class RestoreScript {
  /** Lists what the database holds now, oldest first; columns {@code type, name, virtual}. */
  static final String LIST_OBJECTS =
      "SELECT type, name, sql LIKE 'CREATE VIRTUAL TABLE%' AS virtual FROM sqlite_master"
          + " WHERE type IN ('table', 'view', 'trigger') ORDER BY rowid";

  /**
   * Fails the batch (CHECK constraint) when anything but SQLite's and D1's own tables is left after the
   * drops, e.g. a table created between listing and restoring: the restore then changes nothing and can be
   * retried, instead of leaving a stray table next to the restored ones.
   */
  static final String GUARD_TABLE = "_flaredeploy_restore_guard";

  /** One row of {@link #LIST_OBJECTS}. */
  record SchemaObject(String type, String name, boolean virtual) {
    /** Tables SQLite and D1 keep for themselves; {@code d1 export} skips them, so must we. */
    boolean internal() {
      return name.toLowerCase(java.util.Locale.ROOT).startsWith("sqlite_") || name.startsWith("_cf_");
    }
  }

  private RestoreScript() {}

  static String build(List<SchemaObject> current, String dump) {
    StringBuilder sql = new StringBuilder("PRAGMA defer_foreign_keys=TRUE;\n");
    for (SchemaObject object : dropOrder(current)) {
      sql.append("DROP ")
          .append(object.type().toUpperCase(java.util.Locale.ROOT))
          .append(" IF EXISTS ")
          .append(SqlStatements.quoteIdentifier(object.name()))
          .append(";\n");
    }
    sql.append("CREATE TABLE ")
        .append(SqlStatements.quoteIdentifier(GUARD_TABLE))
        .append(" (leftover INTEGER CHECK (leftover = 0));\n")
        .append("INSERT INTO ")
        .append(SqlStatements.quoteIdentifier(GUARD_TABLE))
        .append(" SELECT count(*) FROM sqlite_master WHERE name <> '")
        .append(GUARD_TABLE)
        .append("' AND lower(name) NOT GLOB 'sqlite_*' AND name NOT GLOB '_cf_*';\n")
        .append("DROP TABLE ")
        .append(SqlStatements.quoteIdentifier(GUARD_TABLE))
        .append(";\n");
    if (current.stream().anyMatch(o -> o.name().equals("sqlite_sequence"))) {
      sql.append("DELETE FROM sqlite_sequence;\n");
    }
    sql.append(dump);
    if (!dump.endsWith("\n")) {
      sql.append('\n');
    }
    return sql.toString();
  }

  /**
   * Triggers and views first, then virtual tables (dropping one drops its shadow tables, which may not be
   * dropped on their own), then the rest. Every drop says IF EXISTS because earlier drops take later
   * objects with them (a table's triggers, a virtual table's shadow tables).
   */
  static List<SchemaObject> dropOrder(List<SchemaObject> current) {
    List<SchemaObject> drops = new ArrayList<>();
    for (SchemaObject object : current) {
      if (!object.internal()) {
        drops.add(object);
      }
    }
    drops.sort(Comparator.comparingInt(RestoreScript::rank)); // stable: keeps creation order within a rank
    return drops;
  }

  private static int rank(SchemaObject object) {
    return switch (object.type()) {
      case "trigger" -> 0;
      case "view" -> 1;
      default -> object.virtual() ? 2 : 3;
    };
  }
}
