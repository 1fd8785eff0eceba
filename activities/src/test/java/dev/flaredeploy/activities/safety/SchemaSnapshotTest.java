package dev.flaredeploy.activities.safety;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaSnapshotTest {
  private static final String SCHEMA =
      """
      CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL UNIQUE);
      CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        author_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        title TEXT NOT NULL DEFAULT 'untitled' CHECK (length(title) > 0),
        score REAL,
        weight DECIMAL(5,2),
        payload,
        slug TEXT GENERATED ALWAYS AS (lower(title)) VIRTUAL,
        created_at TEXT DEFAULT CURRENT_TIMESTAMP
      );
      CREATE UNIQUE INDEX notes_slug ON notes(author_id, slug DESC) WHERE created_at IS NOT NULL;
      CREATE INDEX notes_lower_title ON notes(lower(title));
      CREATE TABLE pairs (a TEXT, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID, STRICT;
      CREATE VIEW recent AS SELECT id, title FROM notes ORDER BY created_at DESC;
      CREATE TRIGGER notes_ai AFTER INSERT ON notes BEGIN SELECT 1; END;
      CREATE VIRTUAL TABLE notes_fts USING fts5(title);
      """;

  private static Schema snapshot(String sql) {
    try (ShadowDatabase shadow = ShadowDatabase.empty()) {
      shadow.apply("schema.sql", sql);
      return shadow.snapshot();
    }
  }

  @Test
  void readsColumnsWithTypesAffinitiesDefaultsAndGeneratedColumns() {
    Table notes = snapshot(SCHEMA).table("notes").orElseThrow();

    assertThat(notes.columns())
        .extracting(Column::describe)
        .containsExactly(
            "id INTEGER PRIMARY KEY",
            "author_id INTEGER NOT NULL",
            "title TEXT NOT NULL DEFAULT 'untitled'",
            "score REAL",
            "weight DECIMAL(5,2)",
            "payload",
            "slug TEXT GENERATED VIRTUAL",
            "created_at TEXT DEFAULT CURRENT_TIMESTAMP");
    assertThat(notes.columns())
        .extracting(Column::affinity)
        .containsExactly(
            Affinity.INTEGER, Affinity.INTEGER, Affinity.TEXT, Affinity.REAL, Affinity.NUMERIC,
            Affinity.BLOB, Affinity.TEXT, Affinity.TEXT);
    assertThat(notes.checks()).containsExactly("LENGTH ( TITLE ) > 0");
    assertThat(notes.foreignKeys())
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.describe()).isEqualTo("(author_id) → users(id)");
              assertThat(k.onDelete()).isEqualTo("CASCADE");
            });
  }

  @Test
  void readsIndexesWithTheirOriginPartialConditionAndExpressions() {
    Schema schema = snapshot(SCHEMA);

    assertThat(schema.table("notes").orElseThrow().indexes())
        .extracting(Index::describe)
        .containsExactly(
            "index notes_lower_title on notes(<expression>)",
            "unique index notes_slug on notes(author_id, slug DESC) WHERE CREATED_AT IS NOT NULL");
    assertThat(schema.table("users").orElseThrow().indexes())
        .extracting(Index::describe)
        .containsExactly("UNIQUE constraint on users(email)");
    Table pairs = schema.table("pairs").orElseThrow();
    assertThat(pairs.withoutRowid()).isTrue();
    assertThat(pairs.strict()).isTrue();
    assertThat(pairs.primaryKey()).containsExactly("a", "b");
    assertThat(pairs.indexes()).extracting(Index::origin).containsExactly(Index.Origin.PRIMARY_KEY);
  }

  @Test
  void readsViewsAndTriggersAndLeavesOutShadowTablesOfVirtualTables() {
    Schema schema = snapshot(SCHEMA);

    assertThat(schema.tables().keySet()).containsExactly("notes", "notes_fts", "pairs", "users");
    assertThat(schema.table("notes_fts").orElseThrow().virtualModule()).isEqualTo("fts5");
    assertThat(schema.views().get("recent").columns()).containsExactly("id", "title");
    assertThat(schema.triggers().get("notes_ai").table()).isEqualTo("notes");
  }

  @Test
  void schemasThatDifferOnlyInLayoutCommentsAndKeywordCaseAreEqual() {
    String relaidOut =
        SCHEMA
            .replace("CREATE VIEW recent AS SELECT", "create view recent as /* newest first */ select")
            .replace("BEGIN SELECT 1; END;", "begin\n  select 1;\nend;")
            .replace("  score REAL,", "  score   REAL, -- stars");

    assertThat(snapshot(relaidOut)).isEqualTo(snapshot(SCHEMA));
    assertThat(snapshot(SCHEMA.replace("score REAL", "score INTEGER"))).isNotEqualTo(snapshot(SCHEMA));
  }

  @Test
  void affinityFollowsSqlitesRules() {
    assertThat(List.of("BIGINT", "NVARCHAR(9)", "CLOB", "", "DOUBLE PRECISION", "BOOLEAN", "FLOATING POINT"))
        .extracting(Affinity::of)
        .containsExactly(
            Affinity.INTEGER, Affinity.TEXT, Affinity.TEXT, Affinity.BLOB, Affinity.REAL,
            Affinity.NUMERIC, Affinity.INTEGER);
    assertThat(Affinity.INTEGER.widensTo(Affinity.TEXT)).isTrue();
    assertThat(Affinity.TEXT.widensTo(Affinity.INTEGER)).isFalse();
  }
}
