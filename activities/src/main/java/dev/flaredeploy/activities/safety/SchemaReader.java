package dev.flaredeploy.activities.safety;

import dev.flaredeploy.activities.safety.SqlLexer.Token;
import dev.flaredeploy.activities.safety.SqlLexer.Type;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a {@link Schema} from a connection: {@code sqlite_schema} for the objects and their SQL, {@code
 * pragma_table_list} for table kinds and options, {@code table_xinfo}, {@code index_list}, {@code
 * index_xinfo} and {@code foreign_key_list} for the structure. Read-only.
 */
final class SchemaReader {
  private final Connection connection;

  SchemaReader(Connection connection) {
    this.connection = connection;
  }

  Schema read() throws SQLException {
    Map<String, Table> tables = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    Map<String, View> views = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    Map<String, Trigger> triggers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    Map<String, String[]> kinds = new LinkedHashMap<>();
    try (PreparedStatement list =
            connection.prepareStatement(
                "SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'");
        ResultSet rows = list.executeQuery()) {
      while (rows.next()) {
        kinds.put(
            rows.getString(1),
            new String[] {rows.getString(2), rows.getString(3), rows.getString(4)});
      }
    }
    try (PreparedStatement objects =
            connection.prepareStatement("SELECT type, name, tbl_name, sql FROM sqlite_schema");
        ResultSet rows = objects.executeQuery()) {
      while (rows.next()) {
        String type = rows.getString(1);
        String name = rows.getString(2);
        String table = rows.getString(3);
        String sql = rows.getString(4);
        if (Schema.isInternal(name) || sql == null) {
          continue;
        }
        switch (type) {
          case "table" -> {
            String[] kind = kinds.get(name);
            if (kind == null || Schema.isInternal(table) || "shadow".equals(kind[0])) {
              continue;
            }
            tables.put(name, table(name, sql, "1".equals(kind[1]), "1".equals(kind[2])));
          }
          case "view" -> views.put(name, new View(name, SqlLexer.normalize(sql), viewColumns(name)));
          case "trigger" -> {
            if (!Schema.isInternal(table)) {
              triggers.put(name, new Trigger(name, table, SqlLexer.normalize(sql)));
            }
          }
          default -> {
            // indexes are read per table, with the autoindexes that have no SQL
          }
        }
      }
    }
    return new Schema(tables, views, triggers);
  }

  private Table table(String name, String sql, boolean withoutRowid, boolean strict)
      throws SQLException {
    List<Token> tokens = SqlLexer.significant(SqlLexer.tokens(sql));
    return new Table(
        name,
        columns(name),
        indexes(name),
        foreignKeys(name),
        checks(tokens),
        withoutRowid,
        strict,
        virtualModule(tokens));
  }

  private List<Column> columns(String table) throws SQLException {
    List<Column> columns = new ArrayList<>();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?)")) {
      query.setString(1, table);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          String type = rows.getString(3) == null ? "" : rows.getString(3);
          int hidden = rows.getInt(7);
          columns.add(
              new Column(
                  rows.getString(2),
                  rows.getInt(1),
                  type,
                  Affinity.of(type),
                  rows.getInt(4) != 0,
                  rows.getString(5),
                  rows.getInt(6),
                  switch (hidden) {
                    case 2 -> Column.Generated.VIRTUAL;
                    case 3 -> Column.Generated.STORED;
                    default -> Column.Generated.NONE;
                  },
                  hidden == 1));
        }
      }
    }
    return columns;
  }

  private List<Index> indexes(String table) throws SQLException {
    List<String[]> list = new ArrayList<>();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)")) {
      query.setString(1, table);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          list.add(
              new String[] {rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4)});
        }
      }
    }
    List<Index> indexes = new ArrayList<>();
    for (String[] row : list) {
      String name = row[0];
      boolean partial = "1".equals(row[3]);
      indexes.add(
          new Index(
              name,
              table,
              "1".equals(row[1]),
              Index.Origin.of(row[2]),
              partial,
              indexColumns(name),
              partial ? partialCondition(name) : null));
    }
    indexes.sort(Comparator.comparing(Index::name, String.CASE_INSENSITIVE_ORDER));
    return indexes;
  }

  private List<Index.IndexColumn> indexColumns(String index) throws SQLException {
    List<Index.IndexColumn> columns = new ArrayList<>();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT name, \"desc\", coll FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno")) {
      query.setString(1, index);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          String name = rows.getString(1);
          columns.add(
              new Index.IndexColumn(
                  name == null ? "<expression>" : name, rows.getInt(2) != 0, rows.getString(3)));
        }
      }
    }
    return columns;
  }

  private String partialCondition(String index) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?")) {
      query.setString(1, index);
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next() || rows.getString(1) == null) {
          return null;
        }
        List<Token> tokens = SqlLexer.significant(SqlLexer.tokens(rows.getString(1)));
        int depth = 0;
        for (int i = 0; i < tokens.size(); i++) {
          Token token = tokens.get(i);
          if (token.type() == Type.OPEN) {
            depth++;
          } else if (token.type() == Type.CLOSE) {
            depth--;
          } else if (depth == 0 && token.is("WHERE")) {
            return SqlLexer.normalize(tokens.subList(i + 1, tokens.size()));
          }
        }
        return null;
      }
    }
  }

  private List<ForeignKey> foreignKeys(String table) throws SQLException {
    Map<Integer, List<String[]>> byId = new TreeMap<>();
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete, \"match\""
                + " FROM pragma_foreign_key_list(?) ORDER BY id, seq")) {
      query.setString(1, table);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          byId.computeIfAbsent(rows.getInt(1), id -> new ArrayList<>())
              .add(
                  new String[] {
                    rows.getString(3), rows.getString(4), rows.getString(5),
                    rows.getString(6), rows.getString(7), rows.getString(8)
                  });
        }
      }
    }
    List<ForeignKey> keys = new ArrayList<>();
    for (List<String[]> rows : byId.values()) {
      String[] first = rows.get(0);
      List<String> from = rows.stream().map(r -> r[1]).toList();
      List<String> to = rows.stream().map(r -> r[2]).filter(t -> t != null).toList();
      keys.add(new ForeignKey(from, first[0], to, first[3], first[4], first[5]));
    }
    keys.sort(Comparator.comparing(ForeignKey::describe, String.CASE_INSENSITIVE_ORDER));
    return keys;
  }

  private List<String> viewColumns(String view) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (PreparedStatement query = connection.prepareStatement("SELECT name FROM pragma_table_info(?)")) {
      query.setString(1, view);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          columns.add(rows.getString(1));
        }
      }
    } catch (SQLException e) {
      // a view over a table that no longer exists cannot be described; it has no columns then
      return List.of();
    }
    return columns;
  }

  /** The condition of every {@code CHECK (…)} in a table definition, in order. */
  static List<String> checks(List<Token> tokens) {
    List<String> checks = new ArrayList<>();
    for (int i = 0; i + 1 < tokens.size(); i++) {
      if (tokens.get(i).is("CHECK") && tokens.get(i + 1).type() == Type.OPEN) {
        int close = SqlLexer.closing(tokens, i + 1);
        checks.add(SqlLexer.normalize(tokens.subList(i + 2, close)));
        i = close;
      }
    }
    return checks;
  }

  private static String virtualModule(List<Token> tokens) {
    if (tokens.size() < 3 || !tokens.get(1).is("VIRTUAL")) {
      return null;
    }
    for (int i = 0; i + 1 < tokens.size(); i++) {
      if (tokens.get(i).is("USING")) {
        return tokens.get(i + 1).text().toLowerCase(java.util.Locale.ROOT);
      }
    }
    return null;
  }
}
