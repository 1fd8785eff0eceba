package dev.flaredeploy.activities.safety;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Migration text that SQLite (and so the shadow) accepts but that wrangler or D1 mishandles:
 *
 * <ul>
 *   <li>{@code wrangler.split}: wrangler's statement splitter cuts a statement where SQLite does not,
 *       typically a trigger body holding {@code CASE … END} or written in lower case (workers-sdk#2463,
 *       #15178): {@code migrations apply} then fails with "incomplete input" after the shadow passed;
 *   <li>{@code wrangler.unterminated}: the last statement has no semicolon, so the ledger {@code INSERT}
 *       that wrangler appends joins it (workers-sdk#5564);
 *   <li>{@code d1.statement-too-big}: a statement over 100 KB, which remote D1 refuses with {@code
 *       SQLITE_TOOBIG} (workers-sdk#6347).
 * </ul>
 */
public final class WranglerCompatibility {
  /** The size above which remote D1 refuses a statement. */
  public static final int MAX_STATEMENT_BYTES = 100_000;

  private WranglerCompatibility() {}

  /** ERRORs for {@code migration}; none when wrangler and D1 will run it as SQLite reads it. */
  public static List<Finding> check(MigrationSource migration) {
    List<Finding> findings = new ArrayList<>();
    List<SqlStatement> statements = SqlStatements.split(migration.sql());
    List<String> sqlite =
        statements.stream()
            .map(s -> SqlLexer.normalize(s.terminated() ? s.sql().substring(0, s.sql().length() - 1) : s.sql()))
            .toList();
    List<String> wranglerText =
        WranglerSplitter.split(migration.sql()).stream()
            .filter(s -> !SqlLexer.normalize(s).isEmpty())
            .toList();
    List<String> wrangler = wranglerText.stream().map(SqlLexer::normalize).toList();
    if (!sqlite.equals(wrangler) && !statements.isEmpty()) {
      int i = 0;
      while (i < sqlite.size() && i < wrangler.size() && sqlite.get(i).equals(wrangler.get(i))) {
        i++;
      }
      SqlStatement statement = statements.get(Math.min(i, statements.size() - 1));
      String piece = i < wranglerText.size() ? wranglerText.get(i).replaceAll("\\s+", " ") : "";
      findings.add(
          new Finding(
              Finding.Severity.ERROR,
              "wrangler.split",
              migration.name(),
              "wrangler's splitter cuts statement " + statement.index() + " (line " + statement.line()
                  + ": " + statement.excerpt(60) + ") where SQLite does not: it sends "
                  + wrangler.size() + " statements where SQLite reads " + sqlite.size()
                  + (piece.isEmpty() ? "" : ", the first different one being \"" + excerpt(piece) + "\"")
                  + ", so migrations apply fails (\"incomplete input\")",
              "write BEGIN and END of a trigger body in upper case with whitespace around them, and"
                  + " keep CASE … END out of the body (move the condition into the trigger's WHEN"
                  + " clause)"));
    }
    if (!statements.isEmpty() && !statements.get(statements.size() - 1).terminated()) {
      SqlStatement last = statements.get(statements.size() - 1);
      findings.add(
          new Finding(
              Finding.Severity.ERROR,
              "wrangler.unterminated",
              migration.name(),
              "its last statement (line " + last.line() + ": " + last.excerpt(60)
                  + ") has no semicolon: the INSERT wrangler appends to record the migration joins it"
                  + " and the migration fails",
              "end the statement with ;"));
    }
    for (SqlStatement statement : statements) {
      int bytes = statement.sql().getBytes(StandardCharsets.UTF_8).length;
      if (bytes > MAX_STATEMENT_BYTES) {
        findings.add(
            new Finding(
                Finding.Severity.ERROR,
                "d1.statement-too-big",
                migration.name(),
                "statement " + statement.index() + " (line " + statement.line() + ") is " + bytes
                    + " bytes; remote D1 refuses statements over " + MAX_STATEMENT_BYTES
                    + " bytes (SQLITE_TOOBIG)",
                "split it, e.g. one INSERT per batch of rows"));
      }
    }
    return List.copyOf(findings);
  }

  private static String excerpt(String text) {
    return text.length() <= 80 ? text : text.substring(0, 79) + "…";
  }
}
