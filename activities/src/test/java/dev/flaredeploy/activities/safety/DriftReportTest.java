package dev.flaredeploy.activities.safety;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DriftReportTest {
  private static final List<MigrationSource> APPLIED =
      List.of(
          new MigrationSource(
              "0001_init.sql",
              "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL);"
                  + "CREATE INDEX notes_by_title ON notes(title);"),
          new MigrationSource("0002_body.sql", "ALTER TABLE notes ADD COLUMN body TEXT;"));

  /**
   * A local export (as wrangler writes it) of a database built by the applied migrations, where {@code
   * rest} completes the {@code notes} definition (SQLite keeps {@code ALTER TABLE … ADD COLUMN} as text
   * appended to it) and adds whatever else the database holds.
   */
  private static String liveExport(String rest) {
    return "PRAGMA defer_foreign_keys=TRUE;\n"
        + "CREATE TABLE d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,"
        + " applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);\n"
        + "INSERT INTO \"d1_migrations\" VALUES(1,'0001_init.sql','2026-11-21 19:28:24');\n"
        + "INSERT INTO \"d1_migrations\" VALUES(2,'0002_body.sql','2026-11-21 19:28:25');\n"
        + "CREATE TABLE _cf_METADATA (key INTEGER PRIMARY KEY, value BLOB);\n"
        + "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT"
        + rest
        + "\nDELETE FROM sqlite_sequence;\nINSERT INTO \"sqlite_sequence\" VALUES('d1_migrations',2);\n";
  }

  @Test
  void aDatabaseBuiltOnlyByItsMigrationsHasNoDrift() {
    String export = liveExport(");\nCREATE INDEX notes_by_title ON notes(title);");

    assertThat(DriftReport.of(live(export), APPLIED, "d1_migrations").differences()).isEmpty();
  }

  @Test
  void aManualAlterOnTheLiveDatabaseIsReportedNamingTheColumn() {
    String export =
        liveExport(
            ", priority INTEGER);\nCREATE INDEX notes_by_title ON notes(title);"
                + "\nINSERT INTO \"notes\" VALUES(1,'a','b',3);");

    DriftReport report = DriftReport.of(live(export), APPLIED, "d1_migrations");

    assertThat(report.hasDrift()).isTrue();
    assertThat(report.differences())
        .extracting(DriftReport.Drift::message)
        .containsExactly(
            "column notes.priority exists in the live database but no applied migration creates it");
  }

  @Test
  void reportsEveryKindOfDifferenceInWords() {
    String export =
        liveExport(
            ");\nCREATE TABLE scratch (x);\nCREATE VIEW recent AS SELECT id FROM notes;");
    Schema live;
    try (ShadowDatabase shadow = ShadowDatabase.fromSchema(export)) {
      shadow.apply("by hand", "DROP TABLE scratch; CREATE TABLE tmp (y);");
      live = shadow.snapshot();
    }
    Schema expected;
    try (ShadowDatabase replay = ShadowDatabase.empty()) {
      replay.apply(APPLIED.get(0).name(), APPLIED.get(0).sql());
      replay.apply(APPLIED.get(1).name(), APPLIED.get(1).sql());
      replay.apply("0003_later.sql", "CREATE TABLE tags (id INTEGER PRIMARY KEY);");
      expected = replay.snapshot();
    }

    assertThat(DriftReport.compare(live, expected, List.of("d1_migrations")).differences())
        .extracting(DriftReport.Drift::message)
        .containsExactlyInAnyOrder(
            "table tmp exists in the live database but no applied migration creates it",
            "table tags is missing from the live database although the applied migrations create it",
            "index notes_by_title on notes(title) is missing from the live database although the"
                + " applied migrations create it",
            "view recent exists in the live database but no applied migration creates it");
  }

  @Test
  void reportsAChangedColumnDefinition() {
    String export = liveExport(");\nCREATE INDEX notes_by_title ON notes(title);")
        .replace("title TEXT NOT NULL", "title TEXT");

    assertThat(DriftReport.of(live(export), APPLIED, "d1_migrations").differences())
        .extracting(DriftReport.Drift::message)
        .containsExactly(
            "column notes.title differs: the live database has title TEXT, the applied migrations"
                + " produce title TEXT NOT NULL");
  }

  /** The live schema as the checks see it: built from the database's sqlite_master rows, never its data. */
  static Schema live(String export) {
    try (LiveDatabase database = LiveDatabase.of(export);
        ShadowDatabase shadow = ShadowDatabase.fromDefinitions("live", database.definitions())) {
      return shadow.snapshot();
    }
  }
}
