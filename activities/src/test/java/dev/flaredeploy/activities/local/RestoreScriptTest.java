package dev.flaredeploy.activities.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.activities.local.RestoreScript.SchemaObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestoreScriptTest {
  private static final String DUMP =
      "PRAGMA defer_foreign_keys=TRUE;\nCREATE TABLE notes (id INTEGER PRIMARY KEY);";

  @Test
  void dropsUserObjectsTriggersAndViewsFirstThenVirtualTablesThenTables() {
    List<SchemaObject> current =
        List.of(
            new SchemaObject("table", "d1_migrations", false),
            new SchemaObject("table", "sqlite_sequence", false),
            new SchemaObject("table", "_cf_METADATA", false),
            new SchemaObject("table", "notes", false),
            new SchemaObject("table", "search", true),
            new SchemaObject("table", "search_data", false),
            new SchemaObject("view", "recent", false),
            new SchemaObject("trigger", "nothing", false));

    assertThat(RestoreScript.dropOrder(current))
        .extracting(SchemaObject::name)
        .containsExactly("nothing", "recent", "search", "d1_migrations", "notes", "search_data");
  }

  @Test
  void quotesNamesResetsSequencesAndEndsWithTheDump() {
    String sql =
        RestoreScript.build(
            List.of(
                new SchemaObject("table", "sqlite_sequence", false),
                new SchemaObject("table", "we\"ird", false),
                new SchemaObject("trigger", "nothing", false)),
            DUMP);

    assertThat(sql)
        .startsWith("PRAGMA defer_foreign_keys=TRUE;\nDROP TRIGGER IF EXISTS \"nothing\";\n"
            + "DROP TABLE IF EXISTS \"we\"\"ird\";\n")
        .contains("CHECK (leftover = 0)", "DELETE FROM sqlite_sequence;\n")
        .endsWith(DUMP + "\n");
  }

  @Test
  void doesNotResetSequencesOfADatabaseThatHasNone() {
    assertThat(RestoreScript.build(List.of(), DUMP)).doesNotContain("sqlite_sequence");
  }
}
