package dev.flaredeploy.activities.local;

import dev.flaredeploy.activities.safety.SqlStatements;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A SQL dump of a local D1 database in the format of {@code wrangler d1 export --local} (miniflare's {@code
 * dumpSql}): {@code PRAGMA defer_foreign_keys=TRUE;}, each table's {@code CREATE} and {@code INSERT}s in
 * {@code sqlite_master} order ({@code sqlite_sequence} last), then indexes, triggers and views; D1's
 * internal {@code _cf_…} tables left out. Read on the caller's connection, so one read transaction sees one
 * state. Numbers are written exactly (miniflare goes through JavaScript numbers).
 */
final class SqlDump {
  private static final Pattern QUOTED_CREATE = Pattern.compile("CREATE TABLE ['\"].*", Pattern.DOTALL);

  private SqlDump() {}

  /** The dump, one statement a line, as wrangler writes it. */
  static String of(Connection connection) throws SQLException {
    List<String> lines = new ArrayList<>();
    lines.add(LocalDatabases.EXPORT_HEADER);
    List<String[]> tables = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT name, sql FROM sqlite_master WHERE type = 'table'"
            + " AND sql NOT NULL ORDER BY tbl_name = 'sqlite_sequence', rowid")) {
      while (result.next()) {
        tables.add(new String[] {result.getString(1), result.getString(2)});
      }
    }
    for (String[] table : tables) {
      String name = table[0];
      String sql = table[1];
      if (name.equals("sqlite_sequence")) {
        lines.add("DELETE FROM sqlite_sequence;");
      } else if (name.matches("sqlite_stat.*")) {
        lines.add("ANALYZE sqlite_schema;");
      } else {
        if (sql.startsWith("CREATE VIRTUAL TABLE")) {
          throw new SQLException("cannot export databases with virtual tables (fts5): " + name);
        }
        if (name.startsWith("_cf_") || name.startsWith("sqlite_")) {
          continue;
        }
        lines.add(QUOTED_CREATE.matcher(sql).matches()
            ? "CREATE TABLE IF NOT EXISTS " + sql.substring(13) + ";" : sql + ";");
      }
      dumpRows(connection, name, lines);
    }
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT sql FROM sqlite_master WHERE sql NOT NULL"
            + " AND type IN ('index', 'trigger', 'view') ORDER BY type COLLATE NOCASE")) {
      while (result.next()) {
        lines.add(result.getString(1) + ";");
      }
    }
    return String.join("\n", lines);
  }

  private static void dumpRows(Connection connection, String table, List<String> lines) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("PRAGMA table_info=" + SqlStatements.quoteIdentifier(table))) {
      while (result.next()) {
        columns.add(SqlStatements.quoteIdentifier(result.getString("name")));
      }
    }
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(
            "SELECT " + String.join(", ", columns) + " FROM " + SqlStatements.quoteIdentifier(table))) {
      while (result.next()) {
        StringBuilder insert =
            new StringBuilder("INSERT INTO ").append(SqlStatements.quoteIdentifier(table)).append(" VALUES(");
        for (int i = 1; i <= columns.size(); i++) {
          insert.append(i == 1 ? "" : ",").append(literal(result.getObject(i)));
        }
        lines.add(insert.append(");").toString());
      }
    }
  }

  /** A value as miniflare writes it: NULL, a number, a quoted string, or a blob literal. */
  static String literal(Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof byte[] bytes) {
      return "X'" + HexFormat.of().formatHex(bytes) + "'";
    }
    if (value instanceof Double d) {
      return d == Math.rint(d) && !d.isInfinite() && Math.abs(d) < 1e21 ? Long.toString(d.longValue())
          : Double.toString(d);
    }
    if (value instanceof Number n) {
      return n.toString();
    }
    return quoted(value.toString());
  }

  /** miniflare's {@code outputQuotedEscapedString}: newlines kept through {@code replace(…, char(10))}. */
  static String quoted(String text) {
    boolean lf = text.indexOf('\n') >= 0;
    boolean cr = text.indexOf('\r') >= 0;
    String out = "'" + text.replace("'", "''").replace("\n", "\\n").replace("\r", "\\r") + "'";
    if (cr) {
      out = "replace(" + out + ",'\\r',char(13))";
    }
    if (lf) {
      out = "replace(" + out + ",'\\n',char(10))";
    }
    return out;
  }
}
