package dev.flaredeploy.activities.safety;

import dev.flaredeploy.activities.safety.SqlLexer.Token;
import dev.flaredeploy.activities.safety.SqlLexer.Type;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scratch in-memory SQLite database (the engine under D1) in which migrations are tried before they
 * touch a real database.
 *
 * <p>Each {@link #apply} runs one migration the way D1 does: all its statements in one transaction, with
 * foreign keys enforced, so {@code PRAGMA foreign_keys = OFF} inside a migration has no effect (use {@code
 * PRAGMA defer_foreign_keys = true}, which is checked at the end) and explicit transaction statements are
 * refused (remote D1 rejects them, workerd#5411). A failing migration leaves the shadow as it was before
 * it. Not thread-safe; close it when done.
 */
public final class ShadowDatabase implements AutoCloseable {
  private static final Pattern SQLITE_ERROR =
      Pattern.compile("^\\[(\\w+)\\][^(]*\\((.*)\\)\\s*$", Pattern.DOTALL);

  private final Connection connection;

  private ShadowDatabase(Connection connection) {
    this.connection = connection;
  }

  /** An empty shadow database, as a new D1 database starts. */
  public static ShadowDatabase empty() {
    try {
      Connection connection = DriverManager.getConnection("jdbc:sqlite::memory:");
      try (Statement statement = connection.createStatement()) {
        statement.execute("PRAGMA foreign_keys = ON");
      }
      return new ShadowDatabase(connection);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot open an in-memory SQLite database: " + e.getMessage(), e);
    }
  }

  /** {@link #fromSchema(String, String)} for an export of the live database. */
  public static ShadowDatabase fromSchema(String sqlText) {
    return fromSchema("schema export", sqlText);
  }

  /**
   * A shadow holding what a SQL export holds: a {@code wrangler d1 export} with or without data, or any
   * SQLite dump. The export's {@code PRAGMA defer_foreign_keys}/{@code foreign_keys}, transaction
   * statements, {@code sqlite_sequence} rows and D1's internal {@code _cf_…} objects are skipped; rows
   * are loaded without foreign key checks, as a restore would.
   *
   * @param source names the export in a failure
   * @throws ShadowMigrationException when a statement of the export fails
   */
  public static ShadowDatabase fromSchema(String source, String sqlText) {
    return loaded(shadow -> shadow.run(source, SqlStatements.split(sqlText), true, null));
  }

  /** What fills a new shadow, foreign keys off. */
  private interface Loader {
    void load(ShadowDatabase shadow) throws SQLException;
  }

  /** A new shadow filled by {@code loader} without foreign key checks (as a restore would), then enforcing them. */
  private static ShadowDatabase loaded(Loader loader) {
    ShadowDatabase shadow = empty();
    try {
      shadow.execute("PRAGMA foreign_keys = OFF");
      loader.load(shadow);
      shadow.execute("PRAGMA foreign_keys = ON");
      return shadow;
    } catch (RuntimeException | SQLException e) {
      shadow.close();
      if (e instanceof SQLException sql) {
        throw new IllegalStateException("cannot set up the shadow database: " + sql.getMessage(), sql);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * One schema object as {@code sqlite_master} lists it.
   *
   * @param type {@code table}, {@code index}, {@code view} or {@code trigger}
   * @param sql the statement that created it; null for an index SQLite made itself (an autoindex)
   */
  public record Definition(String type, String name, String sql) {}

  /**
   * A shadow holding a database's schema and nothing of its data, built from its {@code sqlite_master}
   * rows: tables first (a virtual table's own shadow tables, which it creates itself, are skipped), then
   * indexes, views and triggers, each group in the order given (views again until each finds the views it
   * selects from). SQLite's ({@code sqlite_…}) and D1's ({@code _cf_…}) objects and autoindexes are
   * skipped.
   *
   * @param source names the database in a failure
   * @throws ShadowMigrationException when a definition does not run
   */
  public static ShadowDatabase fromDefinitions(String source, List<Definition> definitions) {
    List<Definition> usable = definitions.stream()
        .filter(d -> d.sql() != null && !d.sql().isBlank() && !Schema.isInternal(d.name()))
        .toList();
    return loaded(shadow -> {
      shadow.execute("BEGIN");
      int index = 0;
      for (String type : List.of("table", "index", "view", "trigger")) {
        List<Definition> pending = new ArrayList<>(usable.stream().filter(d -> type.equals(d.type())).toList());
        while (!pending.isEmpty()) {
          List<Definition> retry = new ArrayList<>();
          ShadowMigrationException firstFailure = null;
          for (Definition definition : pending) {
            if (type.equals("table") && shadow.exists(definition.name())) {
              continue; // a virtual table's shadow table, made when the virtual table was
            }
            SqlStatement statement = new SqlStatement(++index, 0, definition.sql(), true);
            try {
              shadow.execute(definition.sql());
            } catch (SQLException e) {
              if (!type.equals("view")) {
                throw failure(source, statement, usable.size(), e);
              }
              retry.add(definition); // a view over a view defined later
              firstFailure = firstFailure == null ? failure(source, statement, usable.size(), e) : firstFailure;
            }
          }
          if (retry.size() == pending.size()) {
            throw firstFailure;
          }
          pending = retry;
        }
      }
      shadow.execute("COMMIT");
    });
  }

  /** Sees each statement of a migration while the shadow runs it (inside the migration's transaction). */
  public interface StatementObserver {
    /** Before {@code statement} runs; {@code shadow} holds everything before it. */
    void before(SqlStatement statement, ShadowDatabase shadow);

    /** After {@code statement} ran. */
    default void after(SqlStatement statement, ShadowDatabase shadow) {}
  }

  /**
   * Applies one migration atomically, statement by statement.
   *
   * @throws ShadowMigrationException naming the file, the failing statement and SQLite's message; the
   *     shadow is then unchanged
   */
  public void apply(String migrationName, String sql) {
    run(migrationName, SqlStatements.split(sql), false, null);
  }

  /** As {@link #apply(String, String)}, showing {@code observer} each statement before and after it runs. */
  public void apply(String migrationName, String sql, StatementObserver observer) {
    run(migrationName, SqlStatements.split(sql), false, observer);
  }

  /**
   * Turns foreign key enforcement on or off for the migrations applied next (on by default, as on D1; off
   * only to try a migration whose references go to rows the shadow does not hold).
   */
  public void enforceForeignKeys(boolean on) {
    try {
      execute("PRAGMA foreign_keys = " + (on ? "ON" : "OFF"));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot set foreign keys in the shadow: " + e.getMessage(), e);
    }
  }

  /** Whether a table, index, view or trigger of this name exists now. */
  public boolean exists(String name) {
    try (PreparedStatement query =
        connection.prepareStatement("SELECT 1 FROM sqlite_schema WHERE name = ? COLLATE NOCASE")) {
      query.setString(1, name);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the shadow database's schema: " + e.getMessage(), e);
    }
  }

  /** The names of the tables and views now (without SQLite's and D1's own), case-insensitively. */
  public java.util.SortedSet<String> tableNames() {
    java.util.SortedSet<String> names = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')")) {
      while (rows.next()) {
        if (!Schema.isInternal(rows.getString(1))) {
          names.add(rows.getString(1));
        }
      }
      return names;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the shadow database's schema: " + e.getMessage(), e);
    }
  }

  /** Whether table {@code name} holds no row now (rows the shadow's migrations wrote; it has no others). */
  public boolean isEmpty(String name) {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(
            "SELECT 1 FROM " + SqlStatements.quoteIdentifier(name) + " LIMIT 1")) {
      return !rows.next();
    } catch (SQLException e) {
      return false; // not a table one can read: not known to be empty
    }
  }

  /** How many rows table {@code name} holds now (for tests). */
  long rowCount(String name) {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + SqlStatements.quoteIdentifier(name))) {
      return rows.next() ? rows.getLong(1) : 0;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count the rows of " + name + " in the shadow: " + e.getMessage(), e);
    }
  }

  /** The schema as it is now. */
  public Schema snapshot() {
    try {
      return new SchemaReader(connection).read();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the shadow database's schema: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // an in-memory database has nothing to flush
    }
  }

  /**
   * What a statement that only writes rows may cost in the shadow: about this many SQLite VM steps (a few
   * tenths of a second). The shadow holds the schema and none of the data, so a backfill or a copy between
   * tables costs nothing there; a statement that generates its own rows (a recursive CTE that seeds a
   * million rows) would cost what it costs on the database. Past this, it is only compiled (names, columns,
   * syntax), which changes no schema: the schema a migration leaves depends on its DDL alone.
   */
  static final long DATA_STATEMENT_STEPS = 20_000_000;

  private static final int PROGRESS_INTERVAL = 1_000;

  /** Statements that change rows, not the schema. */
  private static final java.util.Set<String> DATA_VERBS =
      java.util.Set.of("INSERT", "UPDATE", "DELETE", "REPLACE", "WITH", "SELECT", "VALUES");

  private void run(String source, List<SqlStatement> statements, boolean export, StatementObserver observer) {
    java.util.Set<Integer> compiledOnly = new java.util.HashSet<>();
    java.util.Set<Integer> seenBefore = new java.util.HashSet<>();
    java.util.Set<Integer> seenAfter = new java.util.HashSet<>();
    while (true) {
      try {
        runOnce(source, statements, export, observer, compiledOnly, seenBefore, seenAfter);
        return;
      } catch (OverBudget heavy) {
        // SQLite rolled the whole transaction back when the statement was interrupted: run the migration
        // again from its start, with that statement only compiled (the observer sees each statement once)
        compiledOnly.add(heavy.index);
      }
    }
  }

  /** A data statement went past {@link #DATA_STATEMENT_STEPS}; the shadow's transaction is rolled back. */
  private static final class OverBudget extends RuntimeException {
    final int index;

    OverBudget(int index) {
      super(null, null, false, false);
      this.index = index;
    }
  }

  private void runOnce(String source, List<SqlStatement> statements, boolean export, StatementObserver observer,
      java.util.Set<Integer> compiledOnly, java.util.Set<Integer> seenBefore, java.util.Set<Integer> seenAfter) {
    try {
      execute("BEGIN");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot begin a transaction in the shadow: " + e.getMessage(), e);
    }
    try {
      for (SqlStatement statement : statements) {
        if (export && skippedInExport(statement)) {
          continue;
        }
        if (isTransactionControl(statement)) {
          if (export) {
            continue;
          }
          throw new ShadowMigrationException(
              source,
              statement.index(),
              statements.size(),
              statement.line(),
              statement.sql(),
              "D1 runs each migration in its own transaction and rejects "
                  + statement.verb()
                  + " (remote D1 refuses transaction statements); remove it",
              "");
        }
        if (observer != null && seenBefore.add(statement.index())) {
          observer.before(statement, this);
        }
        try {
          if (compiledOnly.contains(statement.index())) {
            connection.prepareStatement(statement.sql()).close();
          } else if (!export && DATA_VERBS.contains(statement.verb())) {
            executeWithinBudget(statement);
          } else {
            execute(statement.sql());
          }
        } catch (SQLException e) {
          throw failure(source, statement, statements.size(), e);
        }
        if (observer != null && seenAfter.add(statement.index())) {
          observer.after(statement, this);
        }
      }
      try {
        execute("COMMIT");
      } catch (SQLException e) {
        throw failure(source, null, statements.size(), e);
      }
    } catch (RuntimeException e) {
      rollback();
      throw e;
    }
  }

  /** Runs a data statement, interrupting it past {@link #DATA_STATEMENT_STEPS} ({@link OverBudget}). */
  private void executeWithinBudget(SqlStatement statement) throws SQLException {
    long[] calls = {0};
    long limit = DATA_STATEMENT_STEPS / PROGRESS_INTERVAL;
    org.sqlite.ProgressHandler.setHandler(connection, PROGRESS_INTERVAL, new org.sqlite.ProgressHandler() {
      @Override
      protected int progress() {
        return ++calls[0] > limit ? 1 : 0;
      }
    });
    try {
      execute(statement.sql());
    } catch (SQLException e) {
      if (calls[0] > limit) {
        throw new OverBudget(statement.index());
      }
      throw e;
    } finally {
      org.sqlite.ProgressHandler.clearHandler(connection);
    }
  }

  private void rollback() {
    try {
      execute("ROLLBACK");
    } catch (SQLException e) {
      // no transaction left to roll back: SQLite already did
    }
  }

  private void execute(String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static ShadowMigrationException failure(
      String source, SqlStatement statement, int count, SQLException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    String code = "";
    Matcher matcher = SQLITE_ERROR.matcher(message);
    if (matcher.matches()) {
      code = matcher.group(1);
      message = matcher.group(2);
    }
    if (statement == null) {
      return new ShadowMigrationException(source, 0, count, 0, "", message, code);
    }
    return new ShadowMigrationException(
        source, statement.index(), count, statement.line(), statement.sql(), message, code);
  }

  private static boolean isTransactionControl(SqlStatement statement) {
    return switch (statement.verb()) {
      case "BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE" -> true;
      default -> false;
    };
  }

  /** Export statements that only make sense to D1 or to a restore. */
  private static boolean skippedInExport(SqlStatement statement) {
    List<Token> tokens = SqlLexer.significant(SqlLexer.tokens(statement.sql()));
    if (tokens.isEmpty()) {
      return true;
    }
    if (tokens.get(0).is("PRAGMA")) {
      String pragma = tokens.size() > 1 ? tokens.get(1).upper() : "";
      return pragma.equals("DEFER_FOREIGN_KEYS") || pragma.equals("FOREIGN_KEYS");
    }
    String target = target(tokens);
    return target != null
        && (target.toLowerCase(Locale.ROOT).startsWith("_cf_")
            || target.equalsIgnoreCase("sqlite_sequence")
            || target.equalsIgnoreCase("sqlite_stat1"));
  }

  /**
   * The object a statement creates or writes: {@code CREATE … TABLE|INDEX|VIEW|TRIGGER [IF NOT EXISTS]
   * name} (for an index, the table it is on), {@code INSERT|REPLACE … INTO name}, {@code DELETE FROM
   * name}; null for anything else.
   */
  static String target(List<Token> tokens) {
    String verb = tokens.get(0).upper();
    int i = 1;
    switch (verb) {
      case "CREATE" -> {
        while (i < tokens.size()
            && !tokens.get(i).is("TABLE")
            && !tokens.get(i).is("INDEX")
            && !tokens.get(i).is("VIEW")
            && !tokens.get(i).is("TRIGGER")) {
          i++;
        }
        boolean index = i < tokens.size() && tokens.get(i).is("INDEX");
        if (index) {
          while (i < tokens.size() && !tokens.get(i).is("ON")) {
            i++;
          }
          return name(tokens, i + 1);
        }
        i++;
        if (i + 2 < tokens.size() && tokens.get(i).is("IF")) {
          i += 3;
        }
        return name(tokens, i);
      }
      case "INSERT", "REPLACE" -> {
        while (i < tokens.size() && !tokens.get(i).is("INTO")) {
          i++;
        }
        return name(tokens, i + 1);
      }
      case "DELETE" -> {
        return tokens.size() > 1 && tokens.get(1).is("FROM") ? name(tokens, 2) : null;
      }
      default -> {
        return null;
      }
    }
  }

  /** A possibly schema-qualified name starting at {@code i}: the unqualified part. */
  private static String name(List<Token> tokens, int i) {
    if (i >= tokens.size()) {
      return null;
    }
    if (i + 2 < tokens.size()
        && tokens.get(i + 1).type() == Type.PUNCTUATION
        && tokens.get(i + 1).text().equals(".")) {
      i += 2;
    }
    return SqlLexer.identifier(tokens.get(i));
  }
}
