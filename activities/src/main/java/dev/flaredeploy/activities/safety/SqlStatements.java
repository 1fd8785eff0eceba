package dev.flaredeploy.activities.safety;

import dev.flaredeploy.activities.safety.SqlLexer.Token;
import dev.flaredeploy.activities.safety.SqlLexer.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into statements exactly where SQLite ends them. A semicolon ends a statement unless it
 * is inside a string, a quoted identifier or a comment, or inside the body of a {@code CREATE TRIGGER},
 * which ends only at {@code END ;} where {@code END} directly follows a semicolon of the body (the rule of
 * SQLite's {@code sqlite3_complete}). So {@code CASE … END} inside a trigger body and lower-case {@code
 * begin}/{@code end} are handled, unlike wrangler's splitter (see {@link WranglerSplitter}).
 */
public final class SqlStatements {
  private enum State {
    START,
    NORMAL,
    EXPLAIN,
    CREATE,
    TRIGGER,
    TRIGGER_SEMI,
    TRIGGER_END
  }

  private enum Kind {
    SEMI,
    EXPLAIN,
    CREATE,
    TEMP,
    TRIGGER,
    END,
    OTHER
  }

  private SqlStatements() {}

  /** The statements of {@code sql} in order; text that holds only comments and whitespace has none. */
  public static List<SqlStatement> split(String sql) {
    List<Token> tokens = SqlLexer.tokens(sql);
    List<SqlStatement> statements = new ArrayList<>();
    State state = State.START;
    int start = -1;
    int line = 1;
    int startLine = 1;
    for (Token token : tokens) {
      if (!token.significant()) {
        line += newlines(token.text());
        continue;
      }
      if (start < 0 && token.type() != Type.SEMICOLON) {
        start = token.start();
        startLine = line;
      }
      state = next(state, kind(token));
      line += newlines(token.text());
      if (state == State.START && token.type() == Type.SEMICOLON && start >= 0) {
        statements.add(
            new SqlStatement(
                statements.size() + 1, startLine, sql.substring(start, token.start() + 1), true));
        start = -1;
      }
    }
    if (start >= 0) {
      statements.add(
          new SqlStatement(statements.size() + 1, startLine, sql.substring(start).strip(), false));
    }
    return statements;
  }

  /**
   * Whether {@code sql}, with a semicolon appended, ends where SQLite would end it: false for a statement
   * cut short, e.g. a trigger without the rest of its body.
   */
  public static boolean isComplete(String sql) {
    List<SqlStatement> statements = split(sql + "\n;");
    return statements.isEmpty() || statements.get(statements.size() - 1).terminated();
  }

  /**
   * An SQL identifier in double quotes, inner double quotes doubled (names may be keywords: a trigger
   * called {@code nothing}).
   */
  public static String quoteIdentifier(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  private static int newlines(String text) {
    int count = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        count++;
      }
    }
    return count;
  }

  private static Kind kind(Token token) {
    if (token.type() == Type.SEMICOLON) {
      return Kind.SEMI;
    }
    if (token.type() != Type.WORD) {
      return Kind.OTHER;
    }
    return switch (token.upper()) {
      case "EXPLAIN" -> Kind.EXPLAIN;
      case "CREATE" -> Kind.CREATE;
      case "TEMP", "TEMPORARY" -> Kind.TEMP;
      case "TRIGGER" -> Kind.TRIGGER;
      case "END" -> Kind.END;
      default -> Kind.OTHER;
    };
  }

  private static State next(State state, Kind kind) {
    return switch (state) {
      case START -> switch (kind) {
        case SEMI -> State.START;
        case EXPLAIN -> State.EXPLAIN;
        case CREATE -> State.CREATE;
        default -> State.NORMAL;
      };
      case NORMAL -> kind == Kind.SEMI ? State.START : State.NORMAL;
      case EXPLAIN -> switch (kind) {
        case SEMI -> State.START;
        case CREATE -> State.CREATE;
        case OTHER -> State.EXPLAIN;
        default -> State.NORMAL;
      };
      case CREATE -> switch (kind) {
        case SEMI -> State.START;
        case TEMP -> State.CREATE;
        case TRIGGER -> State.TRIGGER;
        default -> State.NORMAL;
      };
      case TRIGGER -> kind == Kind.SEMI ? State.TRIGGER_SEMI : State.TRIGGER;
      case TRIGGER_SEMI -> switch (kind) {
        case SEMI -> State.TRIGGER_SEMI;
        case END -> State.TRIGGER_END;
        default -> State.TRIGGER;
      };
      case TRIGGER_END -> kind == Kind.SEMI ? State.START : State.TRIGGER;
    };
  }
}
