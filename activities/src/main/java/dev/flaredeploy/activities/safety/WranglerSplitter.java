package dev.flaredeploy.activities.safety;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How wrangler 4.x cuts a migration into statements before {@code migrations apply --local} runs them as
 * one batch ({@code src/d1/splitter.ts}), reproduced so that a difference from SQLite's own boundaries
 * ({@link SqlStatements}) can be reported before wrangler runs. Its known faults (workers-sdk#2463,
 * #15178): a compound body is recognised only by an upper-case {@code BEGIN} between whitespace, and the
 * body ends at the first upper-case {@code END} followed by whitespace or a semicolon, so a {@code CASE …
 * END} inside a trigger body, or a lower-case {@code begin … end}, cuts the trigger in pieces and SQLite
 * answers "incomplete input". Square-bracket identifiers are not quotes to it.
 */
final class WranglerSplitter {
  private static final Pattern COMPOUND_START = Pattern.compile("\\sBEGIN\\s$");
  private static final Pattern COMPOUND_END = Pattern.compile("\\sEND[;\\s]$");

  private WranglerSplitter() {}

  /** The statements as wrangler sends them, trimmed, without their terminating semicolons. */
  static List<String> split(String sql) {
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
          if (marker.length() > 1 && marker.endsWith("$")) {
            int end = sql.indexOf(marker, i);
            int close = end < 0 ? n : end + marker.length();
            current.append(sql, i, close);
            i = close;
          }
        }
        case '-', '/' -> {
          char second = c == '-' ? '-' : '*';
          String endMarker = c == '-' ? "\n" : "*/";
          current.append(c);
          i++;
          if (i < n && sql.charAt(i) == second) {
            int end = sql.indexOf(endMarker, i + 1);
            int stop = end < 0 ? n : end + endMarker.length();
            current.append(sql, i, stop);
            i = stop;
          } else {
            checkCompound = false; // wrangler `continue`s here, skipping its BEGIN test
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
