package dev.flaredeploy.activities.safety;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How the pinned wrangler (4.86, {@code src/d1/splitter.ts} and {@code trimmer.ts} as shipped in its
 * bundle) cuts SQL into the statements that {@code migrations apply --local} and {@code execute --local}
 * send to D1 as one batch, reproduced so that a difference from SQLite's own boundaries ({@link
 * SqlStatements}) can be found before wrangler runs.
 *
 * <p>Its rules: comments are dropped; a compound body opens at {@code BEGIN} or {@code CASE} (any case)
 * between whitespace and closes at the first upper-case {@code END} followed by whitespace or a
 * semicolon. So a {@code CASE} not preceded by whitespace, e.g. {@code (CASE … END )}, leaves its {@code
 * END} to close the trigger body early, and the trigger reaches SQLite cut off ("incomplete input",
 * verified with wrangler 4.86 local). A lower-case {@code end} never closes a body, so the statements
 * after it travel in the same piece; local D1 runs such a multi-statement piece whole (verified), so that
 * is harmless there. Square-bracket identifiers are not quotes to it.
 */
public final class WranglerSplitter {
  private static final Pattern COMPOUND_START =
      Pattern.compile("\\s(BEGIN|CASE)\\s$", Pattern.CASE_INSENSITIVE);
  private static final Pattern COMPOUND_END = Pattern.compile("\\sEND[;\\s]$");

  private WranglerSplitter() {}

  /** The pieces as wrangler sends them, trimmed, without their terminating semicolons. */
  public static List<String> split(String sql) {
    if (sql.contains("BEGIN TRANSACTION")) {
      // trimSqlQuery: D1 wraps the batch in a transaction itself
      sql = sql.replaceFirst(Pattern.quote("BEGIN TRANSACTION;"), "").replaceFirst("COMMIT;", "");
    }
    String trimmed = sql.stripTrailing();
    int semicolon = trimmed.indexOf(';');
    if (semicolon < 0 || semicolon == trimmed.length() - 1) {
      return List.of(sql);
    }
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int open = 0; // wrangler keeps a stack, but every entry on it is the same END test
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (open > 0 && COMPOUND_END.matcher(current.toString() + c).find()) {
        open--;
      }
      boolean checkCompound = true;
      switch (c) {
        case '\'', '"', '`' -> {
          int end = sql.indexOf(c, i + 1);
          int stop = end < 0 ? n : end + 1;
          current.append(sql, i, stop);
          i = stop;
        }
        case '$' -> {
          // "$" then identifier characters, plus the character that ended them
          int j = i + 1;
          while (j < n && isDollarQuoteChar(sql.charAt(j))) {
            j++;
          }
          int stop = Math.min(j + 1, n);
          String marker = sql.substring(i, stop);
          current.append(marker);
          i = stop;
          if (marker.endsWith("$") && marker.length() > 1) {
            int end = sql.indexOf(marker, i);
            int close = end < 0 ? n : end + marker.length();
            current.append(sql, i, close);
            i = close;
          }
        }
        case '-' -> {
          if (i + 1 < n && sql.charAt(i + 1) == '-') {
            int end = sql.indexOf('\n', i + 2);
            i = end < 0 ? n : end + 1;
            current.append('\n');
          } else {
            current.append(c);
            i++;
            checkCompound = false; // wrangler `continue`s here, skipping its BEGIN test
          }
        }
        case '/' -> {
          if (i + 1 < n && sql.charAt(i + 1) == '*') {
            int end = sql.indexOf("*/", i + 2);
            i = end < 0 ? n : end + 2;
          } else {
            current.append(c);
            i++;
            checkCompound = false;
          }
        }
        case ';' -> {
          if (open == 0) {
            statements.add(current.toString());
            current.setLength(0);
          } else {
            current.append(c);
          }
          i++;
        }
        default -> {
          current.append(c);
          i++;
        }
      }
      if (checkCompound && COMPOUND_START.matcher(current).find()) {
        open++;
      }
    }
    statements.add(current.toString());
    return statements.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static boolean isDollarQuoteChar(char c) {
    return c != '$'
        && (Character.isDigit(c)
            || c == '_'
            || Character.toLowerCase(c) != Character.toUpperCase(c));
  }
}
