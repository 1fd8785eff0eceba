package dev.flaredeploy.activities.safety;

/**
 * One statement of a migration or export as SQLite reads it.
 *
 * @param index 1-based position in its file
 * @param line 1-based line of the file on which the statement starts (after leading comments)
 * @param sql the statement from its first token through its terminating semicolon
 * @param terminated false for a last statement with no semicolon (wrangler appends its ledger {@code
 *     INSERT} on the next line, which then joins this statement: workers-sdk#5564)
 */
public record SqlStatement(int index, int line, String sql, boolean terminated) {
  /** The statement on one line, cut to {@code max} characters, for messages. */
  public String excerpt(int max) {
    String flat = sql.replaceAll("\\s+", " ").trim();
    return flat.length() <= max ? flat : flat.substring(0, Math.max(0, max - 1)) + "…";
  }

  /** The first keyword, upper-cased ({@code CREATE}, {@code INSERT}, …); empty if there is none. */
  public String verb() {
    for (SqlLexer.Token token : SqlLexer.tokens(sql)) {
      if (token.significant()) {
        return token.type() == SqlLexer.Type.WORD ? token.upper() : "";
      }
    }
    return "";
  }
}
