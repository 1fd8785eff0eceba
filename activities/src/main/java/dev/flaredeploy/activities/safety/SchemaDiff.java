package dev.flaredeploy.activities.safety;

import dev.flaredeploy.activities.safety.SqlLexer.Token;
import dev.flaredeploy.activities.safety.SqlLexer.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What differs between two schemas, object by object. {@link #between} also recognises renames the way
 * {@code ALTER TABLE … RENAME} leaves them: a table that disappears while one with identical columns
 * appears, and a column that disappears while one with the same definition appears at the same position.
 * References to a renamed table or column (foreign keys, index and check expressions) are followed, so a
 * rename shows up once, as a rename. {@link #withoutRenames} reports the same situations as a drop plus an
 * addition, for comparisons where a rename cannot have happened (drift).
 */
public record SchemaDiff(
    List<Table> addedTables,
    List<Table> droppedTables,
    List<Rename> renamedTables,
    List<TableChange> changedTables,
    List<View> addedViews,
    List<View> droppedViews,
    List<ViewChange> changedViews,
    List<Trigger> addedTriggers,
    List<Trigger> droppedTriggers,
    List<TriggerChange> changedTriggers) {

  /** A table or column called {@code from} before and {@code to} after. */
  public record Rename(String from, String to) {}

  public record ColumnChange(Column before, Column after) {}

  public record IndexChange(Index before, Index after) {}

  public record ViewChange(View before, View after) {}

  public record TriggerChange(Trigger before, Trigger after) {}

  /**
   * The differences of one table present (under the same name) on both sides.
   *
   * @param renamedColumns columns renamed in place
   * @param changedColumns kept (or renamed) columns whose definition changed
   * @param columnOrderChanged whether the kept columns are in a different order
   * @param addedIndexes explicit indexes ({@code CREATE INDEX}) by name; likewise dropped and changed
   * @param addedConstraints {@code UNIQUE} and {@code PRIMARY KEY} constraints that have an index
   * @param rebuildReasons what {@code ALTER TABLE} (add, drop or rename a column) cannot do, so the table
   *     must have been created anew; empty when {@code ALTER TABLE} explains every difference
   */
  public record TableChange(
      Table before,
      Table after,
      List<Column> addedColumns,
      List<Column> droppedColumns,
      List<Rename> renamedColumns,
      List<ColumnChange> changedColumns,
      boolean columnOrderChanged,
      List<Index> addedIndexes,
      List<Index> droppedIndexes,
      List<IndexChange> changedIndexes,
      List<Index> addedConstraints,
      List<Index> droppedConstraints,
      List<ForeignKey> addedForeignKeys,
      List<ForeignKey> droppedForeignKeys,
      List<String> addedChecks,
      List<String> droppedChecks,
      List<String> rebuildReasons) {

    public boolean rebuilt() {
      return !rebuildReasons.isEmpty();
    }

    boolean isEmpty() {
      return addedColumns.isEmpty()
          && droppedColumns.isEmpty()
          && renamedColumns.isEmpty()
          && changedColumns.isEmpty()
          && !columnOrderChanged
          && addedIndexes.isEmpty()
          && droppedIndexes.isEmpty()
          && changedIndexes.isEmpty()
          && addedConstraints.isEmpty()
          && droppedConstraints.isEmpty()
          && addedForeignKeys.isEmpty()
          && droppedForeignKeys.isEmpty()
          && addedChecks.isEmpty()
          && droppedChecks.isEmpty()
          && rebuildReasons.isEmpty();
    }
  }

  /** The differences from {@code before} to {@code after}, renames recognised. */
  public static SchemaDiff between(Schema before, Schema after) {
    return new Differ(before, after, true).diff();
  }

  /** The differences from {@code before} to {@code after}, a rename shown as a drop and an addition. */
  public static SchemaDiff withoutRenames(Schema before, Schema after) {
    return new Differ(before, after, false).diff();
  }

  public boolean isEmpty() {
    return addedTables.isEmpty()
        && droppedTables.isEmpty()
        && renamedTables.isEmpty()
        && changedTables.isEmpty()
        && addedViews.isEmpty()
        && droppedViews.isEmpty()
        && changedViews.isEmpty()
        && addedTriggers.isEmpty()
        && droppedTriggers.isEmpty()
        && changedTriggers.isEmpty();
  }

  private static final class Differ {
    private final Schema before;
    private final Schema after;
    private final boolean detectRenames;
    /** old table name → new */
    private final Map<String, String> tableRenames = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    /** table name (after) → old column name → new */
    private final Map<String, Map<String, String>> columnRenames =
        new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    Differ(Schema before, Schema after, boolean detectRenames) {
      this.before = before;
      this.after = after;
      this.detectRenames = detectRenames;
    }

    SchemaDiff diff() {
      List<Table> added = new ArrayList<>();
      List<Table> dropped = new ArrayList<>();
      for (Table table : after.tables().values()) {
        if (!before.tables().containsKey(table.name())) {
          added.add(table);
        }
      }
      for (Table table : before.tables().values()) {
        if (!after.tables().containsKey(table.name())) {
          dropped.add(table);
        }
      }
      List<Rename> renamed = new ArrayList<>();
      if (detectRenames) {
        for (Table old : List.copyOf(dropped)) {
          List<Table> same = added.stream().filter(t -> t.columns().equals(old.columns())).toList();
          if (same.size() == 1) {
            Table renamedTo = same.get(0);
            renamed.add(new Rename(old.name(), renamedTo.name()));
            tableRenames.put(old.name(), renamedTo.name());
            added.remove(renamedTo);
            dropped.remove(old);
          }
        }
      }
      List<Table[]> common = new ArrayList<>();
      for (Table table : before.tables().values()) {
        Table counterpart = after.tables().get(table.name());
        if (counterpart != null) {
          common.add(new Table[] {table, counterpart});
          if (detectRenames) {
            columnRenames.put(counterpart.name(), columnRenames(table, counterpart));
          }
        }
      }
      List<TableChange> changed = new ArrayList<>();
      for (Table[] pair : common) {
        TableChange change = compare(pair[0], pair[1]);
        if (!change.isEmpty()) {
          changed.add(change);
        }
      }

      // ALTER TABLE … RENAME rewrites the views and triggers that name the table or column: that alone
      // is not a change of theirs
      Map<String, String> allRenames = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      columnRenames.values().forEach(allRenames::putAll);
      allRenames.putAll(tableRenames);
      List<View> addedViews = new ArrayList<>();
      List<View> droppedViews = new ArrayList<>();
      List<ViewChange> changedViews = new ArrayList<>();
      compareByName(
          before.views(), after.views(), addedViews, droppedViews,
          (b, a) -> {
            if (!b.equals(a)
                && !(renameIdentifiers(b.definition(), allRenames).equals(a.definition())
                    && b.columns().equals(a.columns()))) {
              changedViews.add(new ViewChange(b, a));
            }
          });
      List<Trigger> addedTriggers = new ArrayList<>();
      List<Trigger> droppedTriggers = new ArrayList<>();
      List<TriggerChange> changedTriggers = new ArrayList<>();
      compareByName(
          before.triggers(), after.triggers(), addedTriggers, droppedTriggers,
          (b, a) -> {
            if (!b.equals(a)
                && !renameIdentifiers(b.definition(), allRenames).equals(a.definition())) {
              changedTriggers.add(new TriggerChange(b, a));
            }
          });
      return new SchemaDiff(
          List.copyOf(added), List.copyOf(dropped), List.copyOf(renamed), List.copyOf(changed),
          List.copyOf(addedViews), List.copyOf(droppedViews), List.copyOf(changedViews),
          List.copyOf(addedTriggers), List.copyOf(droppedTriggers), List.copyOf(changedTriggers));
    }

    private static <T> void compareByName(
        Map<String, T> before,
        Map<String, T> after,
        List<T> added,
        List<T> dropped,
        java.util.function.BiConsumer<T, T> both) {
      for (Map.Entry<String, T> entry : after.entrySet()) {
        if (!before.containsKey(entry.getKey())) {
          added.add(entry.getValue());
        }
      }
      for (Map.Entry<String, T> entry : before.entrySet()) {
        T counterpart = after.get(entry.getKey());
        if (counterpart == null) {
          dropped.add(entry.getValue());
        } else {
          both.accept(entry.getValue(), counterpart);
        }
      }
    }

    /** Old → new names of the columns renamed in place: same position, same definition. */
    private static Map<String, String> columnRenames(Table before, Table after) {
      Map<String, String> renames = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (Column old : before.columns()) {
        if (after.column(old.name()).isPresent()) {
          continue;
        }
        for (Column candidate : after.columns()) {
          if (candidate.position() == old.position()
              && before.column(candidate.name()).isEmpty()
              && candidate.sameDefinitionAs(old)) {
            renames.put(old.name(), candidate.name());
          }
        }
      }
      return renames;
    }

    private TableChange compare(Table b, Table a) {
      Map<String, String> renames = columnRenames.getOrDefault(a.name(), Map.of());
      List<Rename> renamedColumns = new ArrayList<>();
      renames.forEach((from, to) -> renamedColumns.add(new Rename(from, to)));

      List<Column> droppedColumns = new ArrayList<>();
      List<ColumnChange> changedColumns = new ArrayList<>();
      List<String> keptOrder = new ArrayList<>();
      Set<String> keptAfter = new HashSet<>();
      for (Column old : b.columns()) {
        String newName = renames.getOrDefault(old.name(), old.name());
        var counterpart = a.column(newName);
        if (counterpart.isEmpty()) {
          droppedColumns.add(old);
          continue;
        }
        keptOrder.add(lower(newName));
        keptAfter.add(lower(newName));
        if (!old.sameDefinitionAs(counterpart.get())) {
          changedColumns.add(new ColumnChange(old, counterpart.get()));
        }
      }
      List<Column> addedColumns =
          a.columns().stream().filter(c -> !keptAfter.contains(lower(c.name()))).toList();
      List<String> afterOrder =
          a.columns().stream().map(c -> lower(c.name())).filter(keptAfter::contains).toList();
      boolean orderChanged = !keptOrder.equals(afterOrder);

      // explicit indexes by name, constraint indexes by their columns
      List<Index> addedIndexes = new ArrayList<>();
      List<Index> droppedIndexes = new ArrayList<>();
      List<IndexChange> changedIndexes = new ArrayList<>();
      Map<String, Index> explicitBefore = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      Map<String, Index> constraintsBefore = new TreeMap<>();
      for (Index index : b.indexes()) {
        Index mapped = mapIndex(index, a.name(), renames);
        if (index.origin() == Index.Origin.CREATE_INDEX) {
          explicitBefore.put(index.name(), mapped);
        } else {
          constraintsBefore.put(constraintKey(mapped), index);
        }
      }
      Map<String, Index> constraintsAfter = new TreeMap<>();
      for (Index index : a.indexes()) {
        if (index.origin() != Index.Origin.CREATE_INDEX) {
          constraintsAfter.put(constraintKey(index), index);
          continue;
        }
        Index old = explicitBefore.remove(index.name());
        if (old == null) {
          addedIndexes.add(index);
        } else if (!old.equals(index)) {
          changedIndexes.add(new IndexChange(b.index(index.name()).orElse(old), index));
        }
      }
      for (Index old : explicitBefore.values()) {
        droppedIndexes.add(b.index(old.name()).orElse(old));
      }
      List<Index> addedConstraints = new ArrayList<>();
      List<Index> droppedConstraints = new ArrayList<>();
      constraintsAfter.forEach(
          (key, index) -> {
            if (!constraintsBefore.containsKey(key)) {
              addedConstraints.add(index);
            }
          });
      constraintsBefore.forEach(
          (key, index) -> {
            if (!constraintsAfter.containsKey(key)) {
              droppedConstraints.add(index);
            }
          });

      Set<ForeignKey> keysBefore = new LinkedHashSet<>();
      for (ForeignKey key : b.foreignKeys()) {
        keysBefore.add(mapForeignKey(key, renames));
      }
      Set<ForeignKey> keysAfter = new LinkedHashSet<>(a.foreignKeys());
      List<ForeignKey> addedKeys = keysAfter.stream().filter(k -> !keysBefore.contains(k)).toList();
      List<ForeignKey> droppedKeys =
          b.foreignKeys().stream()
              .filter(k -> !keysAfter.contains(mapForeignKey(k, renames)))
              .toList();

      List<String> checksBefore =
          b.checks().stream().map(c -> renameIdentifiers(c, renames)).toList();
      List<String> addedChecks = a.checks().stream().filter(c -> !checksBefore.contains(c)).toList();
      List<String> droppedChecks =
          b.checks().stream()
              .filter(c -> !a.checks().contains(renameIdentifiers(c, renames)))
              .toList();

      List<String> reasons = new ArrayList<>();
      if (b.withoutRowid() != a.withoutRowid()) {
        reasons.add(a.withoutRowid() ? "becomes WITHOUT ROWID" : "is no longer WITHOUT ROWID");
      }
      if (b.strict() != a.strict()) {
        reasons.add(a.strict() ? "becomes STRICT" : "is no longer STRICT");
      }
      if (!Objects.equals(b.virtualModule(), a.virtualModule())) {
        reasons.add("virtual table module " + b.virtualModule() + " → " + a.virtualModule());
      }
      for (ColumnChange change : changedColumns) {
        reasons.add(
            "column " + change.after().name() + ": " + change.before().describe().substring(
                change.before().name().length()).strip()
                + " → " + change.after().describe().substring(change.after().name().length()).strip());
      }
      if (orderChanged) {
        reasons.add("columns reordered");
      }
      int lastKept =
          a.columns().stream()
              .filter(c -> keptAfter.contains(lower(c.name())))
              .mapToInt(Column::position)
              .max()
              .orElse(-1);
      Set<String> addedNames = new HashSet<>();
      for (Column column : addedColumns) {
        addedNames.add(lower(column.name()));
        String why = null;
        if (column.position() < lastKept) {
          why = "placed among the existing columns";
        } else if (column.primaryKeyPosition() > 0) {
          why = "part of the primary key";
        } else if (column.notNull() && column.defaultValue() == null
            && column.generated() == Column.Generated.NONE) {
          why = "NOT NULL without a default";
        } else if (column.generated() == Column.Generated.STORED) {
          why = "a STORED generated column";
        }
        if (why != null) {
          reasons.add("new column " + column.name() + " " + why);
        }
      }
      for (Index index : addedConstraints) {
        if (!addedNames.containsAll(lowerAll(index.columnNames()))) {
          reasons.add(constraintName(index) + " (" + String.join(", ", index.columnNames()) + ") added");
        } else {
          reasons.add("new column with " + constraintName(index));
        }
      }
      for (Index index : droppedConstraints) {
        reasons.add(constraintName(index) + " (" + String.join(", ", index.columnNames()) + ") removed");
      }
      for (ForeignKey key : addedKeys) {
        if (!addedNames.containsAll(lowerAll(key.columns()))) {
          reasons.add("foreign key " + key.describe() + " added");
        }
      }
      for (ForeignKey key : droppedKeys) {
        reasons.add("foreign key " + key.describe() + " removed");
      }
      for (String check : addedChecks) {
        // ADD COLUMN may carry a CHECK on the new column only
        Set<String> names = identifiers(check);
        boolean onNewColumnsOnly =
            names.stream().anyMatch(addedNames::contains) && names.stream().noneMatch(keptAfter::contains);
        if (!onNewColumnsOnly) {
          reasons.add("CHECK (" + check + ") added");
        }
      }
      for (String check : droppedChecks) {
        reasons.add("CHECK (" + check + ") removed");
      }
      return new TableChange(
          b, a, addedColumns, List.copyOf(droppedColumns), List.copyOf(renamedColumns),
          List.copyOf(changedColumns), orderChanged, List.copyOf(addedIndexes),
          List.copyOf(droppedIndexes), List.copyOf(changedIndexes), List.copyOf(addedConstraints),
          List.copyOf(droppedConstraints), addedKeys, droppedKeys, addedChecks, droppedChecks,
          List.copyOf(reasons));
    }

    private Index mapIndex(Index index, String table, Map<String, String> renames) {
      List<Index.IndexColumn> columns =
          index.columns().stream()
              .map(c -> new Index.IndexColumn(
                  renames.getOrDefault(c.name(), c.name()), c.descending(), c.collation()))
              .toList();
      return new Index(
          index.name(), table, index.unique(), index.origin(), index.partial(), columns,
          index.where() == null ? null : renameIdentifiers(index.where(), renames));
    }

    private ForeignKey mapForeignKey(ForeignKey key, Map<String, String> renames) {
      String target = tableRenames.getOrDefault(key.table(), key.table());
      Map<String, String> targetRenames = columnRenames.getOrDefault(target, Map.of());
      return new ForeignKey(
          key.columns().stream().map(c -> renames.getOrDefault(c, c)).toList(),
          target,
          key.targetColumns().stream().map(c -> targetRenames.getOrDefault(c, c)).toList(),
          key.onUpdate(),
          key.onDelete(),
          key.match());
    }

    private static String constraintKey(Index index) {
      return index.origin()
          + ":"
          + lowerAll(index.columnNames())
          + ":"
          + index.columns().stream().map(c -> c.descending() + "/" + c.collation()).toList();
    }

    private static String constraintName(Index index) {
      return index.origin() == Index.Origin.PRIMARY_KEY ? "PRIMARY KEY" : "UNIQUE";
    }
  }

  static String lower(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  static List<String> lowerAll(Collection<String> names) {
    return names.stream().map(SchemaDiff::lower).toList();
  }

  /** The lower-cased words and quoted identifiers of an expression. */
  static Set<String> identifiers(String expression) {
    Set<String> names = new HashSet<>();
    for (Token token : SqlLexer.significant(SqlLexer.tokens(expression))) {
      if (token.type() == Type.WORD || token.type() == Type.QUOTED_IDENTIFIER) {
        names.add(lower(SqlLexer.identifier(token)));
      }
    }
    return names;
  }

  /** A normalized expression with the renamed identifiers replaced. */
  static String renameIdentifiers(String normalized, Map<String, String> renames) {
    if (renames.isEmpty()) {
      return normalized;
    }
    StringBuilder out = new StringBuilder();
    for (Token token : SqlLexer.significant(SqlLexer.tokens(normalized))) {
      String text = token.type() == Type.WORD ? token.upper() : token.text();
      if (token.type() == Type.WORD || token.type() == Type.QUOTED_IDENTIFIER) {
        String name = SqlLexer.identifier(token);
        String renamed = renames.get(name);
        if (renamed != null) {
          text =
              token.type() == Type.WORD
                  ? renamed.toUpperCase(Locale.ROOT)
                  : SqlStatements.quoteIdentifier(renamed);
        }
      }
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(text);
    }
    return out.toString();
  }
}
