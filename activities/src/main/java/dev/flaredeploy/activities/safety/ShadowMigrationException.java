package dev.flaredeploy.activities.safety;

/**
 * A migration (or a schema export being loaded) failed in the shadow database: SQLite rejected one of its
 * statements, or the deferred foreign key checks at its end. The shadow was rolled back to its state
 * before the migration; the target database was never involved. Retrying cannot help: the file must
 * change.
 */
public class ShadowMigrationException extends RuntimeException {
  private final String migration;
  private final int statementIndex;
  private final int statementCount;
  private final int line;
  private final String statement;
  private final String sqliteMessage;
  private final String sqliteCode;

  /**
   * @param migration the file name (or a description of the export)
   * @param statementIndex 1-based index of the failing statement; 0 when the migration failed as a whole at
   *     its end (deferred foreign key checks)
   * @param statement the failing statement's SQL, empty when {@code statementIndex} is 0
   * @param sqliteMessage SQLite's complaint, e.g. {@code near "INDX": syntax error}
   * @param sqliteCode SQLite's result code name, e.g. {@code SQLITE_ERROR}; empty when the check was ours
   */
  public ShadowMigrationException(
      String migration,
      int statementIndex,
      int statementCount,
      int line,
      String statement,
      String sqliteMessage,
      String sqliteCode) {
    super(message(migration, statementIndex, statementCount, line, statement, sqliteMessage, sqliteCode));
    this.migration = migration;
    this.statementIndex = statementIndex;
    this.statementCount = statementCount;
    this.line = line;
    this.statement = statement;
    this.sqliteMessage = sqliteMessage;
    this.sqliteCode = sqliteCode;
  }

  private static String message(
      String migration,
      int index,
      int count,
      int line,
      String statement,
      String sqliteMessage,
      String sqliteCode) {
    String where =
        index == 0
            ? "at its end (deferred foreign key checks)"
            : "at statement " + index + " of " + count + " (line " + line + ")";
    String code = sqliteCode.isEmpty() ? "" : " [" + sqliteCode + "]";
    String text =
        index == 0
            ? ""
            : ": " + new SqlStatement(index, line, statement, true).excerpt(160);
    return "migration " + migration + " fails " + where + ": " + sqliteMessage + code + text;
  }

  public String migration() {
    return migration;
  }

  public int statementIndex() {
    return statementIndex;
  }

  public int statementCount() {
    return statementCount;
  }

  public int line() {
    return line;
  }

  public String statement() {
    return statement;
  }

  public String sqliteMessage() {
    return sqliteMessage;
  }

  public String sqliteCode() {
    return sqliteCode;
  }
}
