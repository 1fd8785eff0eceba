package dev.flaredeploy.activities.safety;

import dev.flaredeploy.activities.safety.SchemaDiff.TableChange;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How a live database's schema differs from the schema its applied migrations produce from empty. Any
 * difference means someone changed the database by hand (or a migration file was edited after it was
 * applied): the pending migrations were written against a schema the database does not have.
 *
 * @param differences one sentence per difference, naming the table and column
 */
public record DriftReport(List<Drift> differences) {
  /** flaredeploy's own bookkeeping, never part of the comparison. */
  public static final String CHECKSUM_TABLE = Checksums.TABLE;

  public DriftReport {
    differences = List.copyOf(differences);
  }

  /**
   * One difference.
   *
   * @param object e.g. {@code column notes.priority}
   * @param message e.g. {@code column notes.priority exists in the live database but no applied migration
   *     creates it}
   */
  public record Drift(String object, String message) {}

  public boolean hasDrift() {
    return !differences.isEmpty();
  }

  /**
   * Compares {@code live} (the database's schema as a shadow built from it reads it back) with the schema
   * {@code applied} produce when replayed in a fresh shadow.
   *
   * @param migrationsTable the ledger table, ignored like {@link #CHECKSUM_TABLE}
   * @throws ShadowMigrationException when an applied migration no longer applies from empty
   */
  public static DriftReport of(Schema live, List<MigrationSource> applied, String migrationsTable) {
    Schema expected;
    try (ShadowDatabase replay = ShadowDatabase.empty()) {
      for (MigrationSource migration : applied) {
        replay.apply(migration.name(), migration.sql());
      }
      expected = replay.snapshot();
    }
    return compare(live, expected, List.of(migrationsTable));
  }

  /** The differences of {@code live} from {@code expected}, without the {@code ignoredTables}. */
  public static DriftReport compare(Schema live, Schema expected, Collection<String> ignoredTables) {
    Set<String> ignored = new LinkedHashSet<>(ignoredTables);
    ignored.add(CHECKSUM_TABLE);
    SchemaDiff diff = SchemaDiff.withoutRenames(expected.without(ignored), live.without(ignored));
    List<Drift> drifts = new ArrayList<>();
    for (Table table : diff.addedTables()) {
      extra(drifts, "table " + table.name());
    }
    for (Table table : diff.droppedTables()) {
      missing(drifts, "table " + table.name());
    }
    for (TableChange change : diff.changedTables()) {
      table(drifts, change);
    }
    for (View view : diff.addedViews()) {
      extra(drifts, "view " + view.name());
    }
    for (View view : diff.droppedViews()) {
      missing(drifts, "view " + view.name());
    }
    for (SchemaDiff.ViewChange change : diff.changedViews()) {
      differs(drifts, "view " + change.after().name(), change.after().definition(),
          change.before().definition());
    }
    for (Trigger trigger : diff.addedTriggers()) {
      extra(drifts, "trigger " + trigger.name());
    }
    for (Trigger trigger : diff.droppedTriggers()) {
      missing(drifts, "trigger " + trigger.name());
    }
    for (SchemaDiff.TriggerChange change : diff.changedTriggers()) {
      differs(drifts, "trigger " + change.after().name(), change.after().definition(),
          change.before().definition());
    }
    return new DriftReport(drifts);
  }

  private static void table(List<Drift> drifts, TableChange change) {
    Table live = change.after();
    Table expected = change.before();
    String t = live.name();
    for (Column column : change.addedColumns()) {
      extra(drifts, "column " + t + "." + column.name());
    }
    for (Column column : change.droppedColumns()) {
      missing(drifts, "column " + t + "." + column.name());
    }
    for (SchemaDiff.ColumnChange column : change.changedColumns()) {
      differs(drifts, "column " + t + "." + column.after().name(), column.after().describe(),
          column.before().describe());
    }
    if (change.columnOrderChanged()) {
      drifts.add(
          new Drift(
              "table " + t,
              "the columns of " + t + " are in a different order in the live database ("
                  + String.join(", ", live.columnNames()) + ") than after the applied migrations ("
                  + String.join(", ", expected.columnNames()) + ")"));
    }
    if (live.withoutRowid() != expected.withoutRowid()) {
      differs(drifts, "table " + t, live.withoutRowid() ? "WITHOUT ROWID" : "a rowid table",
          expected.withoutRowid() ? "WITHOUT ROWID" : "a rowid table");
    }
    if (live.strict() != expected.strict()) {
      differs(drifts, "table " + t, live.strict() ? "STRICT" : "not STRICT",
          expected.strict() ? "STRICT" : "not STRICT");
    }
    for (Index index : change.addedIndexes()) {
      extra(drifts, index.describe());
    }
    for (Index index : change.droppedIndexes()) {
      missing(drifts, index.describe());
    }
    for (SchemaDiff.IndexChange index : change.changedIndexes()) {
      differs(drifts, "index " + index.after().name(), index.after().describe(),
          index.before().describe());
    }
    for (Index index : change.addedConstraints()) {
      extra(drifts, index.describe());
    }
    for (Index index : change.droppedConstraints()) {
      missing(drifts, index.describe());
    }
    for (ForeignKey key : change.addedForeignKeys()) {
      extra(drifts, "foreign key " + t + key.describe());
    }
    for (ForeignKey key : change.droppedForeignKeys()) {
      missing(drifts, "foreign key " + t + key.describe());
    }
    for (String check : change.addedChecks()) {
      extra(drifts, "CHECK (" + check + ") of table " + t);
    }
    for (String check : change.droppedChecks()) {
      missing(drifts, "CHECK (" + check + ") of table " + t);
    }
  }

  private static void extra(List<Drift> drifts, String object) {
    drifts.add(
        new Drift(object, object + " exists in the live database but no applied migration creates it"));
  }

  private static void missing(List<Drift> drifts, String object) {
    drifts.add(
        new Drift(
            object,
            object + " is missing from the live database although the applied migrations create it"));
  }

  private static void differs(List<Drift> drifts, String object, String live, String expected) {
    drifts.add(
        new Drift(
            object,
            object + " differs: the live database has " + live + ", the applied migrations produce "
                + expected));
  }
}
