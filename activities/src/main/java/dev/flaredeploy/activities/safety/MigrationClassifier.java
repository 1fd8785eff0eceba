package dev.flaredeploy.activities.safety;

import dev.flaredeploy.activities.safety.SchemaDiff.ColumnChange;
import dev.flaredeploy.activities.safety.SchemaDiff.Rename;
import dev.flaredeploy.activities.safety.SchemaDiff.TableChange;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Classifies a migration by its effect on the schema, not by its text: the schema before and after it
 * (both read from a {@link ShadowDatabase}) are compared ({@link SchemaDiff#between}) and every
 * difference becomes a {@link ChangeFinding} with the expand/contract way to make it safely. So {@code
 * ALTER TABLE … DROP COLUMN} and a rebuild that leaves a column out are the same finding, and a rebuild
 * that keeps every column is not destructive.
 */
public final class MigrationClassifier {
  private static final String SAFE_ADDITION =
      "Safe while the live version runs: it does not know about the new object.";
  private static final String FIRST_STOP_USING =
      "deploy code that no longer uses it and let that version take all traffic; remove it in a later"
          + " deployment";

  private MigrationClassifier() {}

  /** The effects of the migration that turned {@code before} into {@code after}. */
  public static MigrationAnalysis classify(String migration, Schema before, Schema after) {
    SchemaDiff diff = SchemaDiff.between(before, after);
    List<ChangeFinding> findings = new ArrayList<>();
    tables(diff, findings);
    for (TableChange change : diff.changedTables()) {
      table(change, findings);
    }
    foreignKeyTargets(before, after, diff, findings);
    viewsAndTriggers(diff, findings);
    return new MigrationAnalysis(migration, findings);
  }

  /**
   * Applies {@code migrations} in order to {@code shadow} and classifies each by its effect.
   *
   * @throws ShadowMigrationException at the first migration that fails; the shadow then holds every
   *     migration before it
   */
  public static List<MigrationAnalysis> analyze(
      ShadowDatabase shadow, List<MigrationSource> migrations) {
    List<MigrationAnalysis> analyses = new ArrayList<>();
    Schema before = shadow.snapshot();
    for (MigrationSource migration : migrations) {
      shadow.apply(migration.name(), migration.sql());
      Schema after = shadow.snapshot();
      analyses.add(classify(migration.name(), before, after));
      before = after;
    }
    return List.copyOf(analyses);
  }

  private static void tables(SchemaDiff diff, List<ChangeFinding> findings) {
    for (Table table : diff.addedTables()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.ADDITIVE,
              "table " + table.name(),
              "creates table " + table.name() + " (" + String.join(", ", table.columnNames()) + ")",
              SAFE_ADDITION));
    }
    for (Table table : diff.droppedTables()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.DESTRUCTIVE,
              "table " + table.name(),
              "drops table "
                  + table.name()
                  + " with its rows: queries of the live version that use it fail, and the data can"
                  + " only come back by restoring the database",
              "Drop a table in two deployments: first "
                  + FIRST_STOP_USING
                  + " (export its rows first if you may need them)."));
    }
    for (Rename rename : diff.renamedTables()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.RENAME,
              "table " + rename.from(),
              "renames table " + rename.from() + " to " + rename.to()
                  + ": the live version still queries " + rename.from() + " and fails",
              "Expand/contract instead of renaming: create "
                  + rename.to()
                  + ", deploy code that writes both tables (or reads through a view named "
                  + rename.from()
                  + "), copy the rows, deploy code that reads "
                  + rename.to()
                  + " only, then drop "
                  + rename.from()
                  + " in a later deployment."));
    }
  }

  private static void table(TableChange change, List<ChangeFinding> findings) {
    Table after = change.after();
    String t = after.name();
    if (change.rebuilt()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.TABLE_REBUILD,
              "table " + t,
              "rebuilds table " + t + " (created anew, rows copied, old table dropped): "
                  + String.join("; ", change.rebuildReasons()),
              "A rebuild copies every row while D1 serves no other query, and the live version keeps"
                  + " working only if the new table accepts everything it writes: keep every column it"
                  + " uses with a compatible type, add only nullable or defaulted columns, recreate"
                  + " every index and trigger of the old table in the same migration, and use PRAGMA"
                  + " defer_foreign_keys = true (PRAGMA foreign_keys = OFF does nothing inside D1's"
                  + " transaction). A table whose rows other rows reference cannot be rebuilt so at"
                  + " all: DROP TABLE deletes its rows first and the deferred check fails at the end;"
                  + " create the new table under a new name and move the code to it instead."));
    }
    for (Column column : change.addedColumns()) {
      String object = "column " + t + "." + column.name();
      if (column.optionalOnInsert()) {
        findings.add(
            new ChangeFinding(
                ChangeKind.ADDITIVE, object, "adds column " + t + "." + column.describe(), SAFE_ADDITION));
      } else {
        findings.add(
            new ChangeFinding(
                ChangeKind.DESTRUCTIVE,
                object,
                "adds " + t + "." + column.name()
                    + " NOT NULL without a default: every INSERT of the live version, which does not"
                    + " name the column, fails",
                "Add the column nullable or with a DEFAULT, deploy code that always writes it, backfill"
                    + " the old rows, and make it NOT NULL (a rebuild) in a later deployment."));
      }
    }
    for (Column column : change.droppedColumns()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.DESTRUCTIVE,
              "column " + t + "." + column.name(),
              "drops column " + t + "." + column.name()
                  + (column.declaredType().isEmpty() ? "" : " (" + column.declaredType() + ")")
                  + ": its data is gone and queries of the live version that name it fail",
              "Drop a column in two deployments: first " + FIRST_STOP_USING + "."));
    }
    for (Rename rename : change.renamedColumns()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.RENAME,
              "column " + t + "." + rename.from(),
              "renames column " + t + "." + rename.from() + " to " + rename.to()
                  + ": the live version still uses " + rename.from() + " and fails",
              "Add the new column " + rename.to() + ", deploy code that writes both, backfill (UPDATE "
                  + t + " SET " + rename.to() + " = " + rename.from() + " WHERE " + rename.to()
                  + " IS NULL), deploy code that reads the new one, then drop " + rename.from()
                  + " in a later deployment."));
    }
    for (ColumnChange columnChange : change.changedColumns()) {
      column(t, columnChange, findings);
    }
    uniqueness(change, findings);
    for (var index : change.addedIndexes()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.ADDITIVE,
              "index " + index.name(),
              "creates " + index.describe()
                  + (index.unique()
                      ? ": writes of the live version that would duplicate a key now fail"
                      : ""),
              index.unique()
                  ? "Safe if the live version never writes duplicates of the key; the shadow checked"
                      + " the rows it holds."
                  : SAFE_ADDITION));
    }
    for (var index : change.droppedIndexes()) {
      if (!index.unique()) {
        findings.add(
            new ChangeFinding(
                ChangeKind.NEUTRAL,
                "index " + index.name(),
                "drops " + index.describe() + ": queries that used it may get slower",
                "Nothing breaks; recreate it in the same migration if the drop was a side effect of a"
                    + " rebuild."));
      }
    }
    for (var indexChange : change.changedIndexes()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.NEUTRAL,
              "index " + indexChange.after().name(),
              "redefines " + indexChange.before().describe() + " as " + indexChange.after().describe(),
              "Nothing breaks by itself; a lost uniqueness is reported separately."));
    }
    for (ForeignKey key : change.addedForeignKeys()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.NEUTRAL,
              "foreign key " + t + key.describe(),
              "adds foreign key " + t + key.describe()
                  + ": writes of the live version that violate it now fail",
              "Safe if the live version only writes existing references."));
    }
    for (ForeignKey key : change.droppedForeignKeys()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.NEUTRAL,
              "foreign key " + t + key.describe(),
              "removes foreign key " + t + key.describe() + ": it is no longer enforced",
              "Nothing breaks; recreate it if the removal was a side effect of a rebuild."));
    }
    for (String check : change.addedChecks()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.NEUTRAL,
              "table " + t,
              "adds CHECK (" + check + "): writes of the live version that violate it now fail",
              "Safe if the live version only writes values that pass the check."));
    }
    for (String check : change.droppedChecks()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.NEUTRAL,
              "table " + t,
              "removes CHECK (" + check + ")",
              "Nothing breaks; the constraint is no longer enforced."));
    }
  }

  private static void column(String t, ColumnChange change, List<ChangeFinding> findings) {
    Column b = change.before();
    Column a = change.after();
    String object = "column " + t + "." + a.name();
    boolean reported = false;
    if (!b.notNull() && a.notNull() && a.defaultValue() == null) {
      findings.add(
          new ChangeFinding(
              ChangeKind.DESTRUCTIVE,
              object,
              "makes " + t + "." + a.name() + " NOT NULL without a default: writes of the live"
                  + " version that leave it out or write NULL fail",
              "Deploy code that always writes a value and backfill the NULL rows first; add NOT NULL"
                  + " (with a DEFAULT if you can) in a later deployment."));
      reported = true;
    }
    if (b.affinity() != a.affinity() && !b.affinity().widensTo(a.affinity())) {
      findings.add(
          new ChangeFinding(
              ChangeKind.DESTRUCTIVE,
              object,
              "narrows " + t + "." + a.name() + " from " + typeName(b) + " (" + b.affinity()
                  + " affinity) to " + typeName(a) + " (" + a.affinity()
                  + " affinity): stored and newly written values may be converted"
                  + (b.affinity() == Affinity.TEXT ? " (the text '007' becomes the number 7)" : ""),
              "Add a new column of the new type, deploy code that writes both, backfill it with"
                  + " CAST, deploy code that reads it, then drop the old column in a later"
                  + " deployment."));
      reported = true;
    }
    if (b.notNull() && a.notNull() && b.defaultValue() != null && a.defaultValue() == null) {
      findings.add(
          new ChangeFinding(
              ChangeKind.DESTRUCTIVE,
              object,
              "removes the default of NOT NULL column " + t + "." + a.name()
                  + ": INSERTs of the live version that leave it out fail",
              "Deploy code that always writes the column first; remove the default in a later"
                  + " deployment."));
      reported = true;
    }
    if (b.primaryKeyPosition() != a.primaryKeyPosition()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.DESTRUCTIVE,
              object,
              "changes the primary key of " + t + " (" + t + "." + a.name() + " "
                  + (a.primaryKeyPosition() > 0 ? "joins it" : "leaves it")
                  + "): rows are identified differently",
              "Create a new table with the new key, copy and dual-write, switch the code, then drop"
                  + " the old table in a later deployment."));
      reported = true;
    }
    if (b.generated() == Column.Generated.NONE && a.generated() != Column.Generated.NONE) {
      findings.add(
          new ChangeFinding(
              ChangeKind.DESTRUCTIVE,
              object,
              "turns " + t + "." + a.name() + " into a generated column: writes of the live version"
                  + " to it fail",
              "Deploy code that no longer writes the column first."));
      reported = true;
    }
    if (!reported) {
      findings.add(
          new ChangeFinding(
              ChangeKind.NEUTRAL,
              object,
              "changes " + t + "." + a.name() + " from " + b.describe() + " to " + a.describe(),
              "Compatible with the live version: nothing it reads or writes is refused or"
                  + " converted."));
    }
  }

  private static String typeName(Column column) {
    return column.declaredType().isEmpty() ? "no type" : column.declaredType();
  }

  /** Every uniqueness the table guaranteed before and no longer guarantees. */
  private static void uniqueness(TableChange change, List<ChangeFinding> findings) {
    Map<String, String> renames = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    change.renamedColumns().forEach(r -> renames.put(r.from(), r.to()));
    List<UniqueKey> after = uniqueKeys(change.after(), Map.of());
    for (UniqueKey key : uniqueKeys(change.before(), renames)) {
      Optional<UniqueKey> kept = after.stream().filter(k -> k.implies(key)).findFirst();
      boolean columnsGone =
          !change.after().columns().stream()
              .map(c -> SchemaDiff.lower(c.name()))
              .toList()
              .containsAll(key.columns());
      if (kept.isEmpty() && !columnsGone) {
        findings.add(
            new ChangeFinding(
                ChangeKind.DESTRUCTIVE,
                key.object(),
                "drops the uniqueness of " + change.after().name() + "(" + String.join(", ", key.columns())
                    + ")" + (key.where() == null ? "" : " WHERE " + key.where())
                    + ": duplicates can now be written, and upserts (ON CONFLICT) of the live version"
                    + " that rely on it fail",
                "If you are replacing the index, create the new one before dropping the old in the"
                    + " same migration; otherwise deploy code that no longer relies on the uniqueness"
                    + " first."));
      } else if (kept.isPresent() && key.object().startsWith("index ")
          && !kept.get().object().equals(key.object())) {
        findings.add(
            new ChangeFinding(
                ChangeKind.NEUTRAL,
                key.object(),
                "drops " + key.object() + "; " + kept.get().object() + " still keeps ("
                    + String.join(", ", key.columns()) + ") unique",
                "Nothing breaks."));
      }
    }
  }

  private record UniqueKey(String object, List<String> columns, String where) {
    boolean implies(UniqueKey other) {
      return Objects.equals(where, other.where) && other.columns.containsAll(columns);
    }
  }

  private static List<UniqueKey> uniqueKeys(Table table, Map<String, String> renames) {
    List<UniqueKey> keys = new ArrayList<>();
    List<String> primaryKey = table.primaryKey();
    if (!primaryKey.isEmpty()) {
      keys.add(new UniqueKey("primary key of " + table.name(), mapped(primaryKey, renames), null));
    }
    for (Index index : table.indexes()) {
      if (!index.unique()) {
        continue;
      }
      String object =
          switch (index.origin()) {
            case CREATE_INDEX -> "index " + index.name();
            case UNIQUE_CONSTRAINT -> "UNIQUE constraint of " + table.name() + "("
                + String.join(", ", index.columnNames()) + ")";
            case PRIMARY_KEY -> "primary key of " + table.name();
          };
      keys.add(
          new UniqueKey(
              object,
              mapped(index.columnNames(), renames),
              index.where() == null ? null : SchemaDiff.renameIdentifiers(index.where(), renames)));
    }
    return keys;
  }

  private static List<String> mapped(List<String> columns, Map<String, String> renames) {
    return columns.stream().map(c -> SchemaDiff.lower(renames.getOrDefault(c, c))).toList();
  }

  /**
   * Foreign keys whose referenced table or column this migration removed: with foreign keys enforced,
   * every write to the referencing table then fails.
   */
  private static void foreignKeyTargets(
      Schema before, Schema after, SchemaDiff diff, List<ChangeFinding> findings) {
    Map<String, String> renamedTables = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    diff.renamedTables().forEach(r -> renamedTables.put(r.to(), r.from()));
    for (Table table : after.tables().values()) {
      Table old = before.tables().get(renamedTables.getOrDefault(table.name(), table.name()));
      for (ForeignKey key : table.foreignKeys()) {
        String problem = missingTarget(after, key);
        if (problem == null || (old != null && wasAlreadyBroken(before, old, key))) {
          continue;
        }
        findings.add(
            new ChangeFinding(
                ChangeKind.DESTRUCTIVE,
                "foreign key " + table.name() + key.describe(),
                "foreign key " + table.name() + key.describe() + " " + problem
                    + ": with foreign keys enforced, every write to " + table.name() + " fails",
                "Keep the referenced table and column until no foreign key points at them. Note that"
                    + " ALTER TABLE … RENAME rewrites references to the renamed table: to rebuild a"
                    + " table, create the new one and rename it into place, not the old one away."));
      }
    }
  }

  private static String missingTarget(Schema schema, ForeignKey key) {
    Optional<Table> target = schema.table(key.table());
    if (target.isEmpty()) {
      return "refers to table " + key.table() + ", which does not exist";
    }
    for (String column : key.targetColumns()) {
      if (target.get().column(column).isEmpty()) {
        return "refers to column " + key.table() + "." + column + ", which does not exist";
      }
    }
    return null;
  }

  /** Whether the same key (by its columns) already pointed nowhere before the migration. */
  private static boolean wasAlreadyBroken(Schema before, Table old, ForeignKey key) {
    Set<String> columns = new HashSet<>(SchemaDiff.lowerAll(key.columns()));
    for (ForeignKey previous : old.foreignKeys()) {
      if (new HashSet<>(SchemaDiff.lowerAll(previous.columns())).equals(columns)) {
        return missingTarget(before, previous) != null;
      }
    }
    return false;
  }

  private static void viewsAndTriggers(SchemaDiff diff, List<ChangeFinding> findings) {
    for (View view : diff.addedViews()) {
      findings.add(
          new ChangeFinding(ChangeKind.ADDITIVE, "view " + view.name(), "creates view " + view.name(),
              SAFE_ADDITION));
    }
    for (View view : diff.droppedViews()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.DESTRUCTIVE,
              "view " + view.name(),
              "drops view " + view.name() + ": queries of the live version that use it fail",
              "Drop a view in two deployments: first " + FIRST_STOP_USING + "."));
    }
    for (SchemaDiff.ViewChange change : diff.changedViews()) {
      List<String> lost =
          change.before().columns().stream()
              .filter(c -> change.after().columns().stream().noneMatch(c::equalsIgnoreCase))
              .toList();
      findings.add(
          lost.isEmpty()
              ? new ChangeFinding(
                  ChangeKind.NEUTRAL,
                  "view " + change.after().name(),
                  "redefines view " + change.after().name() + " with the same columns",
                  "Compatible as long as the rows it yields mean the same to the live version.")
              : new ChangeFinding(
                  ChangeKind.DESTRUCTIVE,
                  "view " + change.after().name(),
                  "redefines view " + change.after().name() + " without column(s) "
                      + String.join(", ", lost) + ": queries of the live version that name them fail",
                  "Keep the columns in the view until " + FIRST_STOP_USING.replace("remove it", "remove them")
                      + "."));
    }
    for (Trigger trigger : diff.addedTriggers()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.ADDITIVE,
              "trigger " + trigger.name(),
              "creates trigger " + trigger.name() + " on " + trigger.table(),
              "Safe if the live version's writes to " + trigger.table() + " pass it."));
    }
    for (Trigger trigger : diff.droppedTriggers()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.DESTRUCTIVE,
              "trigger " + trigger.name(),
              "drops trigger " + trigger.name() + " on " + trigger.table()
                  + ": what it did on every write no longer happens",
              "If the drop is a side effect of rebuilding " + trigger.table()
                  + " (DROP TABLE drops its triggers), recreate the trigger in the same migration;"
                  + " otherwise deploy code that no longer relies on it first."));
    }
    for (SchemaDiff.TriggerChange change : diff.changedTriggers()) {
      findings.add(
          new ChangeFinding(
              ChangeKind.NEUTRAL,
              "trigger " + change.after().name(),
              "redefines trigger " + change.after().name() + " on " + change.after().table(),
              "Compatible as long as the live version's writes still pass it."));
    }
  }
}
