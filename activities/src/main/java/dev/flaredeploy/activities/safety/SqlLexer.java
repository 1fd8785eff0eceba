package dev.flaredeploy.activities.safety;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SQLite's lexical structure, enough to find statement boundaries and compare definitions: strings,
 * quoted identifiers ({@code "x"}, {@code [x]}, {@code `x`}), both comment forms, words, parentheses and
 * semicolons. Unterminated strings and comments run to the end of the text, as SQLite reads them (and
 * then rejects the statement as incomplete).
 */
final class SqlLexer {
  enum Type {
    SPACE,
    COMMENT,
    STRING,
    QUOTED_IDENTIFIER,
    WORD,
    SEMICOLON,
    OPEN,
    CLOSE,
    PUNCTUATION
  }

  record Token(Type type, String text, int start) {
    boolean significant() {
      return type != Type.SPACE && type != Type.COMMENT;
    }

    /** Whether this is the keyword (or unquoted identifier) {@code word}, ignoring case. */
    boolean is(String word) {
      return type == Type.WORD && text.equalsIgnoreCase(word);
    }

    String upper() {
      return text.toUpperCase(Locale.ROOT);
    }
  }

  private SqlLexer() {}

  static List<Token> tokens(String sql) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      int start = i;
      Type type;
      if (Character.isWhitespace(c)) {
        while (i < n && Character.isWhitespace(sql.charAt(i))) {
          i++;
        }
        type = Type.SPACE;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
        int eol = sql.indexOf('\n', i);
        i = eol < 0 ? n : eol + 1;
        type = Type.COMMENT;
      } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        int close = sql.indexOf("*/", i + 2);
        i = close < 0 ? n : close + 2;
        type = Type.COMMENT;
      } else if (c == '\'') {
        i = quoted(sql, i, '\'');
        type = Type.STRING;
      } else if (c == '"' || c == '`') {
        i = quoted(sql, i, c);
        type = Type.QUOTED_IDENTIFIER;
      } else if (c == '[') {
        int close = sql.indexOf(']', i + 1);
        i = close < 0 ? n : close + 1;
        type = Type.QUOTED_IDENTIFIER;
      } else if (isWordChar(c)) {
        while (i < n && isWordChar(sql.charAt(i))) {
          i++;
        }
        type = Type.WORD;
      } else if (operatorLength(sql, i) > 1) {
        i += operatorLength(sql, i);
        type = Type.PUNCTUATION;
      } else {
        i++;
        type =
            switch (c) {
              case ';' -> Type.SEMICOLON;
              case '(' -> Type.OPEN;
              case ')' -> Type.CLOSE;
              default -> Type.PUNCTUATION;
            };
      }
      tokens.add(new Token(type, sql.substring(start, i), start));
    }
    return tokens;
  }

  private static final String[] OPERATORS = {"->>", "->", "<>", "<=", ">=", "!=", "==", "||", "<<", ">>"};

  /** The length of the multi-character operator at {@code i}, or 1. */
  private static int operatorLength(String sql, int i) {
    for (String operator : OPERATORS) {
      if (sql.startsWith(operator, i)) {
        return operator.length();
      }
    }
    return 1;
  }

  /** The end of a literal opened at {@code i} by {@code quote}, where a doubled quote stands for itself. */
  private static int quoted(String sql, int i, char quote) {
    int j = i + 1;
    while (j < sql.length()) {
      if (sql.charAt(j) == quote) {
        if (j + 1 < sql.length() && sql.charAt(j + 1) == quote) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      j++;
    }
    return sql.length();
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c >= 0x80;
  }

  /** An identifier's name: quotes removed and doubled quotes undone; words as written. */
  static String identifier(Token token) {
    String text = token.text();
    if (token.type() == Type.QUOTED_IDENTIFIER || token.type() == Type.STRING) {
      if (text.length() < 2) {
        return text;
      }
      char open = text.charAt(0);
      String inner = text.substring(1, text.length() - 1);
      return switch (open) {
        case '"' -> inner.replace("\"\"", "\"");
        case '`' -> inner.replace("``", "`");
        case '\'' -> inner.replace("''", "'");
        default -> inner;
      };
    }
    return text;
  }

  /**
   * A definition in a form that compares equal when only layout differs: comments dropped, one space
   * between tokens, keywords and unquoted identifiers upper-cased (SQLite ignores their case); strings
   * and quoted identifiers kept as written.
   */
  static String normalize(String sql) {
    return normalize(significant(tokens(sql)));
  }

  static String normalize(List<Token> tokens) {
    StringBuilder out = new StringBuilder();
    for (Token token : tokens) {
      if (!token.significant()) {
        continue;
      }
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(token.type() == Type.WORD ? token.upper() : token.text());
    }
    return out.toString();
  }

  static List<Token> significant(List<Token> tokens) {
    return tokens.stream().filter(Token::significant).toList();
  }

  /** The index of the parenthesis closing the one at {@code open}, or the last index when unbalanced. */
  static int closing(List<Token> tokens, int open) {
    int depth = 0;
    for (int i = open; i < tokens.size(); i++) {
      Type type = tokens.get(i).type();
      if (type == Type.OPEN) {
        depth++;
      } else if (type == Type.CLOSE && --depth == 0) {
        return i;
      }
    }
    return tokens.size() - 1;
  }
}
