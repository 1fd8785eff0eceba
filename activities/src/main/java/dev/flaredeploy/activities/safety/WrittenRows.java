package dev.flaredeploy.activities.safety;

import dev.flaredeploy.activities.safety.SqlLexer.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The rows an INSERT or UPDATE writes into a table, as a CTE named {@code flaredeploy_rows} with the table's
 * columns: what {@link DataDependencies} checks the table's constraints against with one probe each.
 */
final class WrittenRows {
  final Table table;
  final List<String> insertColumns;
  final String source;
  final Map<String, String> assignments;
  final String alias;
  final String where;
  final String unsupported;

  private WrittenRows(Table table, List<String> insertColumns, String source, Map<String, String> assignments,
      String alias, String where, String unsupported) {
    this.table = table;
    this.insertColumns = insertColumns;
    this.source = source;
    this.assignments = assignments;
    this.alias = alias;
    this.where = where;
    this.unsupported = unsupported;
  }

  static WrittenRows inserted(Table table, List<String> columns, String source) {
    return new WrittenRows(table, columns, source, null, null, null, null);
  }

  /** {@code [[AS] alias] [INDEXED BY i | NOT INDEXED] SET c = e, … [FROM …] [WHERE w] [RETURNING …]}. */
  static WrittenRows updated(StatementReader p, int j, Table table) {
    String alias = null;
    if (p.is(j, "AS")) {
      alias = p.identifier(j + 1);
      j += 2;
    } else if (p.type(j) == Type.WORD && !p.is(j, "SET") && !p.is(j, "INDEXED") && !p.is(j, "NOT")) {
      alias = p.identifier(j);
      j++;
    }
    if (p.is(j, "INDEXED")) {
      j += 3;
    } else if (p.is(j, "NOT") && p.is(j + 1, "INDEXED")) {
      j += 2;
    }
    Map<String, String> assignments = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (!p.is(j, "SET")) {
      return new WrittenRows(table, null, null, assignments, alias, null, "the UPDATE could not be read");
    }
    int end = p.depthZero(j + 1, "FROM", "WHERE", "RETURNING", "ORDER", "LIMIT");
    String unsupported = p.tokens.get(0).is("WITH") ? "the UPDATE has a WITH clause" : null;
    for (int[] part : p.split(j + 1, end)) {
      if (p.type(part[0]) == Type.OPEN) {
        unsupported = "the UPDATE sets several columns from one row value";
        continue;
      }
      if (part[1] - part[0] < 3 || !p.text(part[0] + 1, part[0] + 2).equals("=")) {
        unsupported = "an assignment of the UPDATE could not be read";
        continue;
      }
      assignments.put(p.identifier(part[0]), p.text(part[0] + 2, part[1]));
    }
    String where = null;
    if (p.is(end, "FROM")) {
      unsupported = "the UPDATE reads other tables (UPDATE … FROM)";
    } else if (p.is(end, "ORDER") || p.is(end, "LIMIT")) {
      unsupported = "the UPDATE is limited (ORDER BY / LIMIT)";
    } else if (p.is(end, "WHERE")) {
      int whereEnd = p.depthZero(end + 1, "RETURNING", "ORDER", "LIMIT");
      where = p.text(end + 1, whereEnd);
      if (whereEnd < p.tokens.size() && !p.is(whereEnd, "RETURNING")) {
        unsupported = "the UPDATE is limited (ORDER BY / LIMIT)";
      }
    }
    return new WrittenRows(table, null, null, assignments, alias, where, unsupported);
  }

  boolean isUpdate() {
    return assignments != null;
  }

  /** The key of each row of {@link #cte}: an UPDATE's rows carry the key they had; an INSERT's compute it. */
  String keySelect(RowKeys keys) {
    return isUpdate() ? keys.carried() : keys.select();
  }

  boolean sets(String column) {
    if (isUpdate()) {
      return assignments.containsKey(column);
    }
    return table.column(column).isPresent();
  }

  /** The expression an INSERT's source gives {@code column}, as its position in the source: -1 if none. */
  int sourceExpression(String column) {
    if (insertColumns == null) {
      return -1;
    }
    for (int i = 0; i < insertColumns.size(); i++) {
      if (insertColumns.get(i).equalsIgnoreCase(column)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * {@code WITH "flaredeploy_rows" AS (…)}: one row per row the statement writes, with the table's
   * (non-generated) columns as they will be, and the key columns of {@link Keys} under their own names.
   * For an UPDATE with {@code allRows}, also the rows it leaves alone (unique keys concern the whole table).
   */
  String cte(boolean allRows) {
    List<Column> columns = table.columns().stream().filter(c -> c.generated() == Column.Generated.NONE).toList();
    if (!isUpdate()) {
      String names = insertColumns.stream().map(DataDependencies::q).collect(Collectors.joining(", "));
      List<String> select = new ArrayList<>();
      for (Column column : columns) {
        if (insertColumns.stream().anyMatch(c -> c.equalsIgnoreCase(column.name()))) {
          select.add(DataDependencies.q(column.name()));
        } else {
          select.add((column.defaultValue() == null ? "NULL" : "(" + column.defaultValue() + ")") + " AS "
              + DataDependencies.q(column.name()));
        }
      }
      return "WITH " + DataDependencies.q(DataDependencies.SOURCE) + "(" + names + ") AS (" + source + "), " + DataDependencies.q(DataDependencies.ROWS) + " AS (SELECT "
          + String.join(", ", select) + " FROM " + DataDependencies.q(DataDependencies.SOURCE) + ")";
    }
    RowKeys keys = RowKeys.of(table, null);
    String from = " FROM " + DataDependencies.q(table.name()) + (alias == null ? "" : " AS " + DataDependencies.q(alias));
    List<String> updated = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (Column column : columns) {
      String value = assignments.get(column.name());
      updated.add((value == null ? DataDependencies.q(column.name()) : "(" + value + ")") + " AS " + DataDependencies.q(column.name()));
      kept.add(DataDependencies.q(column.name()));
    }
    for (int i = 0; i < keys.names().size(); i++) {
      updated.add(keys.expressions().get(i) + " AS " + DataDependencies.q(keys.names().get(i)));
      kept.add(keys.expressions().get(i));
    }
    String rows = "SELECT " + String.join(", ", updated) + from + (where == null ? "" : " WHERE (" + where + ")");
    if (allRows && where != null) {
      rows += " UNION ALL SELECT " + String.join(", ", kept) + from + " WHERE NOT COALESCE((" + where + "), 0)";
    }
    return "WITH " + DataDependencies.q(DataDependencies.ROWS) + " AS (" + rows + ")";
  }
}
