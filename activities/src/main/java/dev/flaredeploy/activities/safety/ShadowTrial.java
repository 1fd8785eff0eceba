package dev.flaredeploy.activities.safety;

import java.util.ArrayList;
import java.util.List;

/**
 * One database's pending migrations tried, in wrangler's order, in a shadow of its live schema (never its
 * data): each classified by its effect ({@link MigrationClassifier}), with the statements whose outcome
 * depends on the live rows and the probes that decide them ({@link DataDependency}). The first migration
 * that fails in the shadow ends the trial. Shared by every check of a run that needs it.
 *
 * <p>The shadow holds no rows, so a migration whose rows refer to live rows (a seed that points at an
 * existing user) would fail its foreign keys there though not on the database: a migration that fails
 * only on a foreign key is tried again without foreign keys, and its references become probes.
 *
 * @param live the live schema, as the shadow read it back
 * @param tried one entry per migration tried, in order; the last one failed when {@link Tried#failure} is set
 */
public record ShadowTrial(Schema live, List<Tried> tried) {

  /**
   * One pending migration in the shadow.
   *
   * @param analysis its effect; null when it failed
   * @param failure why it does not apply to the schema; null when it applied
   * @param dependencies what it needs of the live rows, in statement order
   */
  public record Tried(
      String migration, MigrationAnalysis analysis, ShadowMigrationException failure,
      List<DataDependency> dependencies) {
    public Tried {
      dependencies = List.copyOf(dependencies);
    }
  }

  public ShadowTrial {
    tried = List.copyOf(tried);
  }

  /**
   * @param source names the database in a failure ({@code DB (live schema)})
   * @param definitions its schema as {@code sqlite_master} lists it
   * @param pending the pending migrations in order
   * @throws ShadowMigrationException when the live schema itself does not load
   */
  public static ShadowTrial of(String source, List<ShadowDatabase.Definition> definitions,
      List<MigrationSource> pending) {
    try (ShadowDatabase shadow = ShadowDatabase.fromDefinitions(source, definitions)) {
      Schema live = shadow.snapshot();
      DataDependencies dependencies = new DataDependencies(live);
      List<Tried> tried = new ArrayList<>();
      Schema before = live;
      for (MigrationSource migration : pending) {
        dependencies.start(migration.name(), true);
        try {
          shadow.apply(migration.name(), migration.sql(), dependencies);
        } catch (ShadowMigrationException e) {
          if (!isForeignKeyFailure(e) || !appliesWithoutForeignKeys(shadow, dependencies, migration)) {
            tried.add(new Tried(migration.name(), null, e, List.of()));
            break;
          }
        }
        Schema after = shadow.snapshot();
        tried.add(new Tried(migration.name(), MigrationClassifier.classify(migration.name(), before, after), null,
            dependencies.found()));
        before = after;
      }
      return new ShadowTrial(live, tried);
    }
  }

  private static boolean isForeignKeyFailure(ShadowMigrationException e) {
    return e.sqliteMessage() != null && e.sqliteMessage().contains("FOREIGN KEY constraint failed");
  }

  /** Tries {@code migration} again without foreign keys: true when it then applies. */
  private static boolean appliesWithoutForeignKeys(
      ShadowDatabase shadow, DataDependencies dependencies, MigrationSource migration) {
    dependencies.rollback();
    dependencies.start(migration.name(), false);
    shadow.enforceForeignKeys(false);
    try {
      shadow.apply(migration.name(), migration.sql(), dependencies);
      return true;
    } catch (ShadowMigrationException again) {
      return false;
    } finally {
      shadow.enforceForeignKeys(true);
    }
  }
}
