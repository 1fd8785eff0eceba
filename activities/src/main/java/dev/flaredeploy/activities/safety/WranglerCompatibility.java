package dev.flaredeploy.activities.safety;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Migration text that SQLite (and so the shadow) accepts but that wrangler or D1 mishandles:
 *
 * <ul>
 *   <li>{@code wrangler.split}: wrangler's statement splitter ({@link WranglerSplitter}) cuts a
 *       statement short, typically a trigger body holding {@code (CASE … END )}: {@code migrations
 *       apply} then fails with "incomplete input" although the shadow accepted the file (workers-sdk#2463,
 *       #15178; remote D1 splits on its side too, with rules not known here);
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
    for (String piece : WranglerSplitter.split(migration.sql())) {
      if (SqlStatements.isComplete(piece)) {
        continue;
      }
      String normalized = SqlLexer.normalize(piece);
      SqlStatement cut =
          statements.stream()
              .filter(s -> SqlLexer.normalize(s.sql()).startsWith(normalized))
              .findFirst()
              .orElse(null);
      findings.add(
          new Finding(
              Finding.Severity.ERROR,
              "wrangler.split",
              migration.name(),
              "wrangler's splitter cuts "
                  + (cut == null
                      ? "a statement"
                      : "statement " + cut.index() + " (line " + cut.line() + ": " + cut.excerpt(60) + ")")
                  + " short: it sends \"" + excerpt(piece.replaceAll("\\s+", " "))
                  + "\" without the rest, so migrations apply fails with \"incomplete input\" although"
                  + " SQLite accepts the file",
              "inside a trigger body, put whitespace before every CASE (not \"(CASE\") and write END in"
                  + " upper case, or move the condition into the trigger's WHEN clause"));
      break;
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
