package dev.flaredeploy.activities.safety;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The result columns that identify an offending row: the primary key, else the rowid. */
record RowKeys(List<String> names, List<String> labels, List<String> expressions) {
  /** The primary key of {@code table}; its rowid when it has none ({@code rowsCte}: no rowid there). */
  static RowKeys of(Table table, String rowsCte) {
    List<String> primaryKey = table.primaryKey();
    if (!primaryKey.isEmpty()) {
      List<String> names = primaryKey.stream().map(c -> DataDependencies.KEY + c).toList();
      return new RowKeys(names, primaryKey, primaryKey.stream().map(DataDependencies::q).toList());
    }
    if (rowsCte != null || table.withoutRowid()) {
      return new RowKeys(List.of(), List.of(), List.of());
    }
    return new RowKeys(List.of(DataDependencies.KEY + "rowid"), List.of("rowid"), List.of("rowid"));
  }

  static RowKeys ofColumns(List<String> columns) {
    return new RowKeys(columns.stream().map(c -> DataDependencies.KEY + c).toList(), columns,
        columns.stream().map(DataDependencies::q).toList());
  }

  /** {@code "id" AS "flaredeploy_key_id"}: the key computed; a constant when there is no key. */
  String select() {
    if (names.isEmpty()) {
      return "1 AS " + DataDependencies.q(DataDependencies.KEY + "row");
    }
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      parts.add(expressions.get(i) + " AS " + DataDependencies.q(names.get(i)));
    }
    return String.join(", ", parts);
  }

  /** {@code "flaredeploy_key_id"}: the key as rows that carry it under its names hold it. */
  String carried() {
    return names.isEmpty() ? "1 AS " + DataDependencies.q(DataDependencies.KEY + "row")
        : names.stream().map(DataDependencies::q).collect(Collectors.joining(", "));
  }
}
