package dev.flaredeploy.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * One D1 database of {@link CloudflareApiRecorder}: a real in-memory SQLite (the engine under D1), so the SQL
 * sent to {@code /query} runs for real. A {@code /query} runs its statements in order as one atomic batch
 * and answers one result per statement, as D1 does; a failing statement rolls the whole batch back and
 * answers D1's error ({@code <SQLite message>: SQLITE_ERROR}, API code 7500). Explicit transactions ({@code
 * BEGIN}, {@code SAVEPOINT}, …) are refused as on remote D1. Every write moves the Time Travel bookmark; each
 * bookmark keeps a copy of the database, which a restore puts back.
 *
 * <p>Not thread-safe: the recorder calls it under its own lock.
 */
final class RecordedD1Database implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Statements remote D1 refuses inside {@code /query} (cloudflare/workerd#5411). */
  private static final Set<String> TRANSACTION_CONTROL =
      Set.of("BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE");
  private static final Pattern SQLITE_DETAIL = Pattern.compile("\\((.*)\\)\\s*$", Pattern.DOTALL);
  /** What D1 answers for a transaction statement. */
  static final String NO_TRANSACTIONS = "To execute a transaction, please use the state.storage.transaction() or"
      + " state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements."
      + " The JavaScript API is safer because it will automatically roll back on exceptions, and because it"
      + " interacts correctly with Durable Objects' automatic atomic write coalescing.: SQLITE_AUTH";

  final String uuid;
  final String name;
  private final SQLiteConnection connection;
  private final Map<String, byte[]> snapshots = new LinkedHashMap<>(); // bookmark -> database
  private int writes;
  private String bookmark;

  /** A statement D1 refused: the message D1 answers, after the batch was rolled back. */
  static final class D1Failure extends Exception {
    D1Failure(String message) {
      super(message);
    }
  }

  RecordedD1Database(String uuid, String name) {
    this.uuid = uuid;
    this.name = name;
    try {
      connection = (SQLiteConnection) DriverManager.getConnection("jdbc:sqlite::memory:");
    } catch (SQLException e) {
      throw new IllegalStateException("could not open an in-memory SQLite database", e);
    }
    remember();
  }

  String bookmark() {
    return bookmark;
  }

  /**
   * Runs {@code sql} (one or more statements) as one batch: all of it, or (on the first failing statement)
   * none of it. Returns D1's {@code result}: one {@code {results, success, meta}} per statement.
   *
   * @param params values for the {@code ?} of a single statement, as D1's {@code params}
   * @throws D1Failure with D1's message when a statement fails
   */
  ArrayNode query(String sql, List<String> params) throws D1Failure {
    List<String> statements = new ArrayList<>();
    ArrayNode results = JSON.createArrayNode();
    try {
      long changesBefore = totalChanges();
      int schemaBefore = schemaVersion();
      connection.setAutoCommit(false);
      try {
        String rest = sql;
        while (true) {
          Chunk chunk = nextStatement(rest);
          if (chunk == null) {
            break;
          }
          rest = chunk.rest();
          statements.add(chunk.sql());
          results.add(run(chunk.sql(), statements.size() == 1 && chunk.rest().isBlank() ? params : List.of()));
        }
        connection.commit();
      } catch (SQLException | D1Failure e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
      if (totalChanges() != changesBefore || schemaVersion() != schemaBefore) {
        writes++;
        remember();
      }
      return results;
    } catch (SQLException e) {
      throw new D1Failure(d1Message(e));
    }
  }

  /** Runs {@code sql} as {@link #query} does; for a test's setup. */
  void execute(String sql) {
    try {
      query(sql, List.of());
    } catch (D1Failure e) {
      throw new IllegalArgumentException("the recorder's database " + uuid + " refused the SQL: " + e.getMessage());
    }
  }

  /** Puts the database back as it was at {@code bookmark}: a new write. Returns false for an unknown bookmark. */
  boolean restore(String to) {
    byte[] snapshot = snapshots.get(to);
    if (snapshot == null) {
      return false;
    }
    try {
      connection.deserialize("main", snapshot.clone());
    } catch (SQLException e) {
      throw new IllegalStateException("could not restore " + uuid + " to " + to, e);
    }
    writes++;
    remember();
    return true;
  }

  /** The rows of a read-only query, column → value (null for SQL NULL); empty when a table does not exist. */
  List<Map<String, Object>> rows(String sql) {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnLabel(i), rs.getObject(i));
        }
        rows.add(row);
      }
    } catch (SQLException e) {
      if (String.valueOf(e.getMessage()).contains("no such table")) {
        return List.of();
      }
      throw new IllegalStateException("could not read " + uuid + ": " + e.getMessage(), e);
    }
    return rows;
  }

  int tableCount() {
    return rows("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
        .stream().findFirst().map(r -> ((Number) r.get("n")).intValue()).orElse(0);
  }

  long size() {
    try {
      return connection.serialize("main").length;
    } catch (SQLException e) {
      return 0;
    }
  }

  /**
   * What D1's export holds, near enough: {@code PRAGMA defer_foreign_keys=TRUE;}, each table's {@code CREATE}
   * and its rows as {@code INSERT INTO "t" VALUES(…);}, then indexes, views and triggers, then {@code
   * sqlite_sequence}.
   */
  String dump() {
    StringBuilder sql = new StringBuilder("PRAGMA defer_foreign_keys=TRUE;\n");
    List<Map<String, Object>> objects = rows("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
        + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid");
    for (Map<String, Object> object : objects) {
      if (!"table".equals(object.get("type"))) {
        continue;
      }
      String table = (String) object.get("name");
      sql.append(object.get("sql")).append(";\n");
      for (Map<String, Object> row : rows("SELECT * FROM \"" + table.replace("\"", "\"\"") + "\"")) {
        List<String> values = new ArrayList<>();
        row.values().forEach(v -> values.add(literal(v)));
        sql.append("INSERT INTO \"").append(table.replace("\"", "\"\"")).append("\" VALUES(")
            .append(String.join(",", values)).append(");\n");
      }
    }
    for (Map<String, Object> object : objects) {
      if (!"table".equals(object.get("type"))) {
        sql.append(object.get("sql")).append(";\n");
      }
    }
    List<Map<String, Object>> sequences = rows("SELECT name, seq FROM sqlite_sequence");
    if (!sequences.isEmpty()) {
      sql.append("DELETE FROM sqlite_sequence;\n");
      sequences.forEach(s -> sql.append("INSERT INTO \"sqlite_sequence\" VALUES(").append(literal(s.get("name")))
          .append(",").append(literal(s.get("seq"))).append(");\n"));
    }
    return sql.toString();
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // an in-memory database: nothing to lose
    }
  }

  // ---- one statement ----

  private ObjectNode run(String sql, List<String> params) throws SQLException, D1Failure {
    String first = firstWord(sql);
    if (TRANSACTION_CONTROL.contains(first)) {
      throw new D1Failure(NO_TRANSACTIONS);
    }
    long changesBefore = totalChanges();
    long started = System.nanoTime();
    ObjectNode result = JSON.createObjectNode();
    ArrayNode rows = result.putArray("results");
    int read = 0;
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        statement.setString(i + 1, params.get(i));
      }
      if (statement.execute()) {
        try (ResultSet rs = statement.getResultSet()) {
          ResultSetMetaData meta = rs.getMetaData();
          while (rs.next()) {
            read++;
            ObjectNode row = rows.addObject();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
              put(row, meta.getColumnLabel(i), rs, i);
            }
          }
        }
      }
    }
    long changes = totalChanges() - changesBefore;
    result.put("success", true);
    ObjectNode meta = result.putObject("meta");
    meta.put("served_by", "v3-prod").put("served_by_region", "WEUR").put("served_by_primary", true)
        .put("duration", (System.nanoTime() - started) / 1e6).put("changes", changes)
        .put("last_row_id", lastRowId()).put("changed_db", changes > 0 || isSchemaChange(first))
        .put("size_after", size()).put("rows_read", read).put("rows_written", changes);
    meta.putObject("timings").put("sql_duration_ms", (System.nanoTime() - started) / 1e6);
    return result;
  }

  private static void put(ObjectNode row, String column, ResultSet rs, int i) throws SQLException {
    Object value = rs.getObject(i);
    if (value == null) {
      row.putNull(column);
    } else if (value instanceof Integer n) {
      row.put(column, n.longValue());
    } else if (value instanceof Long n) {
      row.put(column, n);
    } else if (value instanceof Double d) {
      row.put(column, d);
    } else if (value instanceof byte[] bytes) {
      ArrayNode array = row.putArray(column);
      for (byte b : bytes) {
        array.add(b & 0xff);
      }
    } else {
      row.put(column, value.toString());
    }
  }

  // ---- splitting a batch into statements, the way SQLite's own parser decides ----

  private record Chunk(String sql, String rest) {}

  /**
   * The next statement of {@code sql}: up to a {@code ;} outside quotes and comments for which SQLite's parser
   * does not say "incomplete input" (a trigger's body holds {@code ;}s). Null when only whitespace and
   * comments are left.
   */
  private Chunk nextStatement(String sql) throws SQLException, D1Failure {
    int from = 0;
    while (true) {
      int end = nextSemicolon(sql, from);
      String candidate = end < 0 ? sql : sql.substring(0, end + 1);
      if (onlyCommentsAndSpace(candidate)) {
        return null;
      }
      if (end < 0 || isComplete(candidate)) {
        return new Chunk(candidate.strip(), end < 0 ? "" : sql.substring(end + 1));
      }
      from = end + 1;
    }
  }

  private boolean isComplete(String candidate) {
    try (PreparedStatement ignored = connection.prepareStatement(candidate)) {
      return true;
    } catch (SQLException e) {
      return !String.valueOf(e.getMessage()).contains("incomplete input");
    }
  }

  /** The index of the next {@code ;} at or after {@code from} outside quotes and comments, or -1. */
  private static int nextSemicolon(String sql, int from) {
    int i = from;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      switch (c) {
        case '\'', '"', '`' -> i = closing(sql, i + 1, c);
        case '[' -> i = closing(sql, i + 1, ']');
        case '-' -> {
          if (i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
            int nl = sql.indexOf('\n', i);
            i = nl < 0 ? sql.length() : nl + 1;
          } else {
            i++;
          }
        }
        case '/' -> {
          if (i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
            int close = sql.indexOf("*/", i + 2);
            i = close < 0 ? sql.length() : close + 2;
          } else {
            i++;
          }
        }
        case ';' -> {
          return i;
        }
        default -> i++;
      }
    }
    return -1;
  }

  private static int closing(String sql, int from, char quote) {
    int i = from;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (quote != ']' && i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2; // a doubled quote inside the literal
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return sql.length();
  }

  private static boolean onlyCommentsAndSpace(String sql) {
    String rest = sql.replaceAll("(?s)/\\*.*?(\\*/|$)", " ").replaceAll("--[^\n]*", " ").replace(";", " ");
    return rest.isBlank();
  }

  private static String firstWord(String sql) {
    String text = sql.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("--[^\n]*", " ").strip();
    int end = 0;
    while (end < text.length() && Character.isLetter(text.charAt(end))) {
      end++;
    }
    return text.substring(0, end).toUpperCase(Locale.ROOT);
  }

  private static boolean isSchemaChange(String firstWord) {
    return Set.of("CREATE", "ALTER", "DROP").contains(firstWord);
  }

  // ---- state ----

  private void remember() {
    bookmark = String.format("%08x-%08x-00004c6d-%032x", writes + 1, writes * 7, (long) uuid.hashCode() & 0xffffffffL);
    try {
      snapshots.put(bookmark, connection.serialize("main"));
    } catch (SQLException e) {
      throw new IllegalStateException("could not keep a copy of " + uuid, e);
    }
  }

  private long totalChanges() throws SQLException {
    return scalar("SELECT total_changes()");
  }

  private int schemaVersion() throws SQLException {
    return (int) scalar("PRAGMA schema_version");
  }

  private long lastRowId() throws SQLException {
    return scalar("SELECT last_insert_rowid()");
  }

  private long scalar(String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** D1's words for a SQLite error: {@code no such table: x: SQLITE_ERROR}. */
  private static String d1Message(SQLException e) {
    String message = String.valueOf(e.getMessage());
    Matcher detail = SQLITE_DETAIL.matcher(message);
    String text = detail.find() ? detail.group(1) : message;
    String code = "SQLITE_ERROR";
    if (e instanceof SQLiteException sqlite) {
      SQLiteErrorCode primary = SQLiteErrorCode.getErrorCode(sqlite.getResultCode().code & 0xff);
      if (primary != SQLiteErrorCode.UNKNOWN_ERROR) {
        code = primary.name();
      }
    }
    return text + ": " + code;
  }

  private static String literal(Object value) {
    if (value == null) {
      return "NULL";
    }
    if (value instanceof Number) {
      return value.toString();
    }
    if (value instanceof byte[] bytes) {
      return "X'" + HexFormat.of().formatHex(bytes) + "'";
    }
    return "'" + value.toString().replace("'", "''") + "'";
  }
}
