package dev.flaredeploy.activities.safety;

import dev.flaredeploy.activities.safety.SqlLexer.Token;
import dev.flaredeploy.activities.safety.SqlLexer.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What an {@code INSERT … SELECT} from one table copies into each column: the source column it copies
 * unchanged, or null for an expression. A constraint the source column already satisfies needs no probe.
 */
record CopiedColumns(Table table, List<String> expressions) {
  /** The source of {@code INSERT … SELECT a, b FROM t [alias] [WHERE …]}; null for anything else. */
  static CopiedColumns of(StatementReader p, String source) {
    if (source == null) {
      return null;
    }
    List<Token> tokens = SqlLexer.significant(SqlLexer.tokens(source));
    if (tokens.isEmpty() || !tokens.get(0).is("SELECT")) {
      return null;
    }
    StatementReader sub = new StatementReader(p.statement, tokens, p.shadow, source);
    int start = sub.is(1, "DISTINCT") || sub.is(1, "ALL") ? 2 : 1;
    int from = sub.depthZero(start, "FROM");
    if (from >= tokens.size()) {
      return null;
    }
    StatementReader.Name table = sub.name(from + 1);
    int after = table.next();
    if (sub.is(after, "AS")) {
      after += 2;
    } else if (sub.type(after) == Type.WORD && !sub.is(after, "WHERE") && !sub.is(after, "ORDER")
        && !sub.is(after, "LIMIT")) {
      after++;
    }
    if (after < tokens.size() && !sub.is(after, "WHERE") && !sub.is(after, "ORDER") && !sub.is(after, "LIMIT")) {
      return null; // a join, a compound select, grouping: not a plain copy
    }
    if (sub.depthZero(start, "UNION", "INTERSECT", "EXCEPT", "GROUP") < tokens.size()) {
      return null;
    }
    Optional<Table> found = p.shadow.snapshot().table(table.name());
    if (found.isEmpty()) {
      return null;
    }
    List<String> expressions = new ArrayList<>();
    for (int[] part : sub.split(start, from)) {
      if (part[1] - part[0] == 1 && sub.text(part[0], part[1]).equals("*")) {
        found.get().columns().stream().filter(c -> c.generated() == Column.Generated.NONE && !c.hidden())
            .forEach(c -> expressions.add(c.name()));
        continue;
      }
      if (sub.text(part[0], part[1]).endsWith("*")) {
        return null; // alias.*: columns this reader does not count
      }
      // a bare column (c, alias.c) names it; anything else is an expression
      if (part[1] - part[0] == 1 && sub.isName(part[0])) {
        expressions.add(sub.identifier(part[0]));
      } else if (part[1] - part[0] == 3 && sub.isName(part[0]) && sub.text(part[0] + 1, part[0] + 2).equals(".")
          && sub.isName(part[0] + 2)) {
        expressions.add(sub.identifier(part[0] + 2));
      } else {
        expressions.add(null);
      }
    }
    return new CopiedColumns(found.get(), expressions);
  }

  /** The source column copied unchanged into position {@code index}, if it is one. */
  Optional<Column> column(int index) {
    if (index < 0 || index >= expressions.size() || expressions.get(index) == null) {
      return Optional.empty();
    }
    return table.column(expressions.get(index));
  }

  boolean keeps(StatementReader p, int index, java.util.function.Predicate<Column> constraint) {
    return column(index).map(c -> constraint.test(c) || c.isRowidAlias()).orElse(false);
  }

  /** The same CHECK holds in the source, over the same columns copied unchanged. */
  boolean keepsCheck(StatementReader p, WrittenRows rows, String check, Set<String> referenced) {
    if (!table.checks().contains(check)) {
      return false;
    }
    for (String name : referenced) {
      if (rows.table.column(name).isEmpty()) {
        continue; // not a column: a function or a keyword
      }
      Optional<Column> copied = column(rows.sourceExpression(name));
      if (copied.isEmpty() || !copied.get().name().equalsIgnoreCase(name)) {
        return false;
      }
    }
    return true;
  }

  /** The source has a unique key over the columns copied into the key's (a subset of them suffices). */
  boolean keepsUnique(StatementReader p, WrittenRows rows, DataDependencies.UniqueKey key) {
    if (key.where() != null) {
      return false;
    }
    Map<String, Index.IndexColumn> copied = new LinkedHashMap<>();
    for (Index.IndexColumn column : key.columns()) {
      Optional<Column> from = column(rows.sourceExpression(column.name()));
      if (from.isEmpty()) {
        return false;
      }
      copied.put(from.get().name().toLowerCase(Locale.ROOT), column);
    }
    for (DataDependencies.UniqueKey sourceKey : DataDependencies.uniqueKeys(table)) {
      if (sourceKey.where() != null) {
        continue;
      }
      boolean within = sourceKey.columns().stream().allMatch(c -> {
        Index.IndexColumn target = copied.get(c.name().toLowerCase(Locale.ROOT));
        return target != null && target.collation().equalsIgnoreCase(c.collation());
      });
      if (within) {
        return true;
      }
    }
    return false;
  }

  /** The source has the same foreign key over the columns copied unchanged into it. */
  boolean keepsForeignKey(StatementReader p, WrittenRows rows, ForeignKey key) {
    List<String> from = new ArrayList<>();
    for (String column : key.columns()) {
      Optional<Column> copied = column(rows.sourceExpression(column));
      if (copied.isEmpty()) {
        return false;
      }
      from.add(copied.get().name().toLowerCase(Locale.ROOT));
    }
    return table.foreignKeys().stream().anyMatch(k -> k.table().equalsIgnoreCase(key.table())
        && k.columns().stream().map(c -> c.toLowerCase(Locale.ROOT)).toList().equals(from)
        && k.targetColumns().stream().map(c -> c.toLowerCase(Locale.ROOT)).toList()
            .equals(key.targetColumns().stream().map(c -> c.toLowerCase(Locale.ROOT)).toList()));
  }
}
