package dev.flaredeploy.activities.safety;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real SQLite database in memory standing for a live D1 database in tests: loaded from SQL text (schema
 * and rows), read as the checks read one ({@code sqlite_master} rows, bounded SELECTs).
 */
final class LiveDatabase implements AutoCloseable {
  private final Connection connection;

  private LiveDatabase(Connection connection) {
    this.connection = connection;
  }

  static LiveDatabase of(String sql) {
    try {
      Connection connection = DriverManager.getConnection("jdbc:sqlite::memory:");
      try (Statement statement = connection.createStatement()) {
        for (SqlStatement s : SqlStatements.split(sql)) {
          statement.execute(s.sql());
        }
      }
      return new LiveDatabase(connection);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Its schema as the targets' {@code inspect} reads it. */
  List<ShadowDatabase.Definition> definitions() {
    List<ShadowDatabase.Definition> definitions = new ArrayList<>();
    for (Map<String, String> row : query("SELECT type, name, tbl_name, sql FROM sqlite_master"
        + " WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY rowid")) {
      definitions.add(new ShadowDatabase.Definition(row.get("type"), row.get("name"), row.get("sql")));
    }
    return definitions;
  }

  List<Map<String, String>> query(String sql) {
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      ResultSetMetaData meta = rows.getMetaData();
      List<Map<String, String>> result = new ArrayList<>();
      while (rows.next()) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnLabel(i), rows.getString(i));
        }
        result.add(row);
      }
      return result;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // in memory: nothing to keep
    }
  }
}
