package dev.flaredeploy.activities.safety;

import dev.flaredeploy.activities.safety.SqlLexer.Token;
import dev.flaredeploy.activities.safety.SqlLexer.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** One statement's significant tokens, with what the data dependencies need to read it. */
final class StatementReader {
  /** A possibly schema-qualified name, and the index of the token after it. */
  record Name(String name, int next) {}

  final SqlStatement statement;
  final List<Token> tokens;
  final ShadowDatabase shadow;
  final String sql;

  StatementReader(SqlStatement statement, List<Token> tokens, ShadowDatabase shadow) {
    this(statement, tokens, shadow, statement.sql());
  }

  StatementReader(SqlStatement statement, List<Token> tokens, ShadowDatabase shadow, String sql) {
    this.statement = statement;
    this.tokens = tokens;
    this.shadow = shadow;
    this.sql = sql;
  }

  boolean is(int i, String word) {
    return i >= 0 && i < tokens.size() && tokens.get(i).is(word);
  }

  String upper(int i) {
    return i < tokens.size() ? tokens.get(i).upper() : "";
  }

  Type type(int i) {
    return i < tokens.size() ? tokens.get(i).type() : Type.SEMICOLON;
  }

  boolean isName(int i) {
    return type(i) == Type.WORD || type(i) == Type.QUOTED_IDENTIFIER;
  }

  String identifier(int i) {
    return i < tokens.size() ? SqlLexer.identifier(tokens.get(i)) : null;
  }

  /** The SQL text of tokens {@code [from, to)}. */
  String text(int from, int to) {
    if (from >= to || from >= tokens.size()) {
      return "";
    }
    Token last = tokens.get(Math.min(to, tokens.size()) - 1);
    return sql.substring(tokens.get(from).start(), last.start() + last.text().length());
  }

  /** The WITH clause before the statement's verb at {@code verb}, with a trailing space; "" if none. */
  String prefix(int verb) {
    return verb == 0 ? "" : text(0, verb) + " ";
  }

  int skipIfNotExists(int i) {
    return is(i, "IF") && is(i + 1, "NOT") && is(i + 2, "EXISTS") ? i + 3 : i;
  }

  int skipIfExists(int i) {
    return is(i, "IF") && is(i + 1, "EXISTS") ? i + 2 : i;
  }

  Name name(int i) {
    if (!isName(i)) {
      return new Name(null, i);
    }
    if (type(i + 1) == Type.PUNCTUATION && tokens.get(i + 1).text().equals(".") && isName(i + 2)) {
      return new Name(identifier(i + 2), i + 3);
    }
    return new Name(identifier(i), i + 1);
  }

  /** The verb after a leading WITH clause: the first INSERT, REPLACE, UPDATE, DELETE or SELECT at depth 0. */
  int mainVerb() {
    int i = depthZero(1, "INSERT", "REPLACE", "UPDATE", "DELETE", "SELECT");
    return i < tokens.size() ? i : -1;
  }

  /** The first index from {@code from} whose token is one of {@code words} outside parentheses; else size. */
  int depthZero(int from, String... words) {
    return firstOutsideParentheses(from, i -> java.util.Arrays.stream(words).anyMatch(w -> tokens.get(i).is(w)));
  }

  /** Where an INSERT's rows end: its upsert clause ({@code ON CONFLICT}), {@code RETURNING}, or the end. */
  int sourceEnd(int from) {
    return firstOutsideParentheses(from,
        i -> tokens.get(i).is("RETURNING") || (tokens.get(i).is("ON") && is(i + 1, "CONFLICT")));
  }

  private int firstOutsideParentheses(int from, java.util.function.IntPredicate stop) {
    int depth = 0;
    for (int i = from; i < tokens.size(); i++) {
      Type t = tokens.get(i).type();
      if (t == Type.OPEN) {
        depth++;
      } else if (t == Type.CLOSE) {
        depth--;
      } else if (depth == 0 && stop.test(i)) {
        return i;
      }
    }
    return tokens.size();
  }

  /** The comma-separated parts of {@code [from, to)} at depth 0, as {@code [start, end)} pairs. */
  List<int[]> split(int from, int to) {
    List<int[]> parts = new ArrayList<>();
    int depth = 0;
    int start = from;
    for (int i = from; i < to; i++) {
      Type t = tokens.get(i).type();
      if (t == Type.OPEN) {
        depth++;
      } else if (t == Type.CLOSE) {
        depth--;
      } else if (depth == 0 && t == Type.PUNCTUATION && tokens.get(i).text().equals(",")) {
        parts.add(new int[] {start, i});
        start = i + 1;
      }
    }
    if (start < to) {
      parts.add(new int[] {start, to});
    }
    return parts;
  }

  /** The identifiers of {@code [from, to)} (a column list). */
  List<String> identifiers(int from, int to) {
    List<String> names = new ArrayList<>();
    for (int i = from; i < to; i++) {
      if (isName(i)) {
        names.add(identifier(i));
      }
    }
    return names;
  }

  /** The tables and views of the shadow that tokens {@code [from, to)} name: what the statement reads. */
  Set<String> reads(int from, int to) {
    Set<String> tables = shadow.tableNames();
    Set<String> read = DataDependencies.names();
    for (int i = from; i < Math.min(to, tokens.size()); i++) {
      if (isName(i) && tables.contains(identifier(i))) {
        read.add(identifier(i));
      }
    }
    return read;
  }

  Set<String> reads(int from) {
    return reads(from, tokens.size());
  }
}
