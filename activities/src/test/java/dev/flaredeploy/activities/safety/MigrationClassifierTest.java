package dev.flaredeploy.activities.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationClassifierTest {
  private static final String BASE =
      """
      CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);
      CREATE UNIQUE INDEX users_by_email ON users(email);
      CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        author_id INTEGER NOT NULL REFERENCES users(id),
        title TEXT NOT NULL,
        body TEXT,
        priority TEXT
      );
      CREATE INDEX notes_by_author ON notes(author_id);
      CREATE TRIGGER notes_title_trim AFTER INSERT ON notes BEGIN
        UPDATE notes SET title = trim(title) WHERE id = new.id;
      END;
      INSERT INTO users VALUES (1, 'a@x', 'alice');
      INSERT INTO notes VALUES (1, 1, 'first', 'hello', '007');
      """;

  private static MigrationAnalysis classify(String migration) {
    try (ShadowDatabase shadow = ShadowDatabase.empty()) {
      shadow.apply("0001_base.sql", BASE);
      return MigrationClassifier.analyze(shadow, List.of(new MigrationSource("0002_x.sql", migration)))
          .get(0);
    }
  }

  @Test
  void dropColumnIsDestructiveAndNamesTheColumn() {
    MigrationAnalysis analysis = classify("ALTER TABLE notes DROP COLUMN body;");

    assertThat(analysis.classification()).isEqualTo("DESTRUCTIVE");
    assertThat(analysis.needsAllowance()).isTrue();
    assertThat(analysis.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.object()).isEqualTo("column notes.body");
              assertThat(f.detail()).startsWith("drops column notes.body (TEXT)");
              assertThat(f.safeWay()).contains("later deployment");
            });
  }

  @Test
  void addingANullableColumnIsAdditive() {
    MigrationAnalysis analysis = classify("ALTER TABLE notes ADD COLUMN archived_at TEXT;");

    assertThat(analysis.kind()).hasValue(ChangeKind.ADDITIVE);
    assertThat(analysis.needsAllowance()).isFalse();
    assertThat(analysis.findings())
        .extracting(ChangeFinding::describe)
        .containsExactly("ADDITIVE column notes.archived_at: adds column notes.archived_at TEXT");
  }

  @Test
  void addingADefaultedNotNullColumnAndAnIndexIsAdditive() {
    MigrationAnalysis analysis =
        classify(
            """
            ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX notes_pinned ON notes(pinned) WHERE pinned = 1;
            CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT);
            CREATE VIEW pinned_notes AS SELECT id, title FROM notes WHERE pinned = 1;
            """);

    assertThat(analysis.classification()).isEqualTo("ADDITIVE");
    assertThat(analysis.findings()).hasSize(4);
  }

  @Test
  void aTwelveStepRebuildThatKeepsEveryColumnIsATableRebuildNotDestructive() {
    MigrationAnalysis analysis =
        classify(
            """
            PRAGMA defer_foreign_keys = true;
            CREATE TABLE notes_new (
              id INTEGER PRIMARY KEY,
              author_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
              title TEXT NOT NULL CHECK (length(title) > 0),
              body TEXT,
              priority TEXT
            );
            INSERT INTO notes_new (id, author_id, title, body, priority)
              SELECT id, author_id, title, body, priority FROM notes;
            DROP TABLE notes;
            ALTER TABLE notes_new RENAME TO notes;
            CREATE INDEX notes_by_author ON notes(author_id);
            CREATE TRIGGER notes_title_trim AFTER INSERT ON notes BEGIN
              UPDATE notes SET title = trim(title) WHERE id = new.id;
            END;
            """);

    assertThat(analysis.classification()).isEqualTo("TABLE_REBUILD");
    assertThat(analysis.needsAllowance()).isFalse();
    assertThat(analysis.findingsOf(ChangeKind.TABLE_REBUILD))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.object()).isEqualTo("table notes");
              assertThat(f.detail())
                  .contains("CHECK (LENGTH ( TITLE ) > 0) added")
                  .contains("foreign key (author_id) → users(id)");
            });
    assertThat(analysis.findingsOf(ChangeKind.DESTRUCTIVE)).isEmpty();
  }

  @Test
  void aRebuildThatNarrowsATypeAndForgetsTheTriggerIsDestructive() {
    MigrationAnalysis analysis =
        classify(
            """
            CREATE TABLE notes_new (
              id INTEGER PRIMARY KEY,
              author_id INTEGER NOT NULL REFERENCES users(id),
              title TEXT NOT NULL,
              body TEXT,
              priority INTEGER
            );
            INSERT INTO notes_new SELECT * FROM notes;
            DROP TABLE notes;
            ALTER TABLE notes_new RENAME TO notes;
            CREATE INDEX notes_by_author ON notes(author_id);
            """);

    assertThat(analysis.classification()).isEqualTo("DESTRUCTIVE");
    assertThat(analysis.findingsOf(ChangeKind.DESTRUCTIVE))
        .extracting(ChangeFinding::object)
        .containsExactlyInAnyOrder("column notes.priority", "trigger notes_title_trim");
    assertThat(analysis.findingsOf(ChangeKind.TABLE_REBUILD)).hasSize(1);
    assertThat(analysis.findings().get(0).kind()).isEqualTo(ChangeKind.DESTRUCTIVE);
  }

  @Test
  void renamingATableIsARename() {
    MigrationAnalysis analysis = classify("ALTER TABLE notes RENAME TO memos;");

    assertThat(analysis.classification()).isEqualTo("RENAME");
    assertThat(analysis.findingsOf(ChangeKind.RENAME))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.detail()).startsWith("renames table notes to memos");
              assertThat(f.safeWay()).contains("Expand/contract");
            });
    assertThat(analysis.findingsOf(ChangeKind.DESTRUCTIVE)).isEmpty();
  }

  @Test
  void renamingAColumnIsARenameWithTheExpandContractWay() {
    MigrationAnalysis analysis = classify("ALTER TABLE notes RENAME COLUMN body TO content;");

    assertThat(analysis.classification()).isEqualTo("RENAME");
    assertThat(analysis.findingsOf(ChangeKind.RENAME))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.object()).isEqualTo("column notes.body");
              assertThat(f.safeWay())
                  .isEqualTo(
                      "Add the new column content, deploy code that writes both, backfill (UPDATE"
                          + " notes SET content = body WHERE content IS NULL), deploy code that reads"
                          + " the new one, then drop body in a later deployment.");
            });
  }

  @Test
  void renamingAReferencedColumnFollowsTheForeignKey() {
    MigrationAnalysis analysis = classify("ALTER TABLE users RENAME COLUMN id TO user_id;");

    assertThat(analysis.findings())
        .extracting(ChangeFinding::object)
        .containsExactly("column users.id");
  }

  @Test
  void droppingAUniqueIndexIsDestructive() {
    MigrationAnalysis analysis = classify("DROP INDEX users_by_email;");

    assertThat(analysis.classification()).isEqualTo("DESTRUCTIVE");
    assertThat(analysis.findings())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.object()).isEqualTo("index users_by_email");
              assertThat(f.detail()).startsWith("drops the uniqueness of users(email)");
            });
  }

  @Test
  void replacingAUniqueIndexUnderANewNameIsNotDestructive() {
    MigrationAnalysis analysis =
        classify(
            "CREATE UNIQUE INDEX users_email_unique ON users(email); DROP INDEX users_by_email;");

    assertThat(analysis.findingsOf(ChangeKind.DESTRUCTIVE)).isEmpty();
  }

  @Test
  void droppingAnOrdinaryIndexIsNeutral() {
    assertThat(classify("DROP INDEX notes_by_author;").classification()).isEqualTo("NEUTRAL");
  }

  @Test
  void droppingATableIsDestructive() {
    MigrationAnalysis analysis = classify("DROP TRIGGER notes_title_trim; DROP TABLE notes;");

    assertThat(analysis.findingsOf(ChangeKind.DESTRUCTIVE))
        .extracting(ChangeFinding::object)
        .contains("table notes");
  }

  @Test
  void renamingTheOldTableAwayLeavesForeignKeysPointingAtNothing() {
    String migration =
        """
        PRAGMA defer_foreign_keys = true;
        ALTER TABLE users RENAME TO users_old;
        CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, bio TEXT);
        INSERT INTO users (id, email, name) SELECT id, email, name FROM users_old;
        DROP TABLE users_old;
        CREATE UNIQUE INDEX users_by_email ON users(email);
        """;
    try (ShadowDatabase withRows = ShadowDatabase.empty()) {
      withRows.apply("0001_base.sql", BASE);
      assertThatThrownBy(() -> withRows.apply("0002_x.sql", migration))
          .as("with rows in notes, D1's deferred foreign key check refuses it")
          .hasMessageContaining("FOREIGN KEY constraint failed");
    }
    try (ShadowDatabase schemaOnly = ShadowDatabase.empty()) {
      schemaOnly.apply("0001_base.sql", BASE + "DELETE FROM notes;");

      MigrationAnalysis analysis =
          MigrationClassifier.analyze(schemaOnly, List.of(new MigrationSource("0002_x.sql", migration)))
              .get(0);

      assertThat(analysis.findingsOf(ChangeKind.DESTRUCTIVE))
          .extracting(ChangeFinding::detail)
          .anySatisfy(
              d -> assertThat(d).contains("refers to table users_old, which does not exist"));
    }
  }

  @Test
  void makingAColumnNotNullWithoutDefaultIsDestructive() {
    MigrationAnalysis analysis =
        classify(
            """
            CREATE TABLE notes_new (
              id INTEGER PRIMARY KEY,
              author_id INTEGER NOT NULL REFERENCES users(id),
              title TEXT NOT NULL,
              body TEXT NOT NULL,
              priority TEXT
            );
            INSERT INTO notes_new SELECT * FROM notes;
            DROP TABLE notes;
            ALTER TABLE notes_new RENAME TO notes;
            CREATE INDEX notes_by_author ON notes(author_id);
            CREATE TRIGGER notes_title_trim AFTER INSERT ON notes BEGIN
              UPDATE notes SET title = trim(title) WHERE id = new.id;
            END;
            """);

    assertThat(analysis.findingsOf(ChangeKind.DESTRUCTIVE))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.object()).isEqualTo("column notes.body");
              assertThat(f.detail()).startsWith("makes notes.body NOT NULL without a default");
            });
  }

  @Test
  void rebuildingAReferencedTableWithRowsFailsAtTheEndEvenWithDeferredForeignKeys() {
    // DROP TABLE deletes the parent rows first; renaming the copy into place does not bring them back
    // for SQLite's deferred-violation counter, so D1 refuses the migration when it commits (verified
    // with wrangler 4.86 migrations apply --local: "FOREIGN KEY constraint failed")
    assertThatThrownBy(
            () ->
                classify(
                    """
                    PRAGMA defer_foreign_keys = true;
                    CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);
                    INSERT INTO users_new SELECT * FROM users;
                    DROP TABLE users;
                    ALTER TABLE users_new RENAME TO users;
                    """))
        .isInstanceOf(ShadowMigrationException.class)
        .hasMessageContaining("at its end (deferred foreign key checks): FOREIGN KEY constraint failed");
  }

  @Test
  void addingAColumnWithACheckAndAReferenceIsNotARebuild() {
    MigrationAnalysis analysis =
        classify(
            "ALTER TABLE notes ADD COLUMN stars INTEGER CHECK (stars BETWEEN 0 AND 5);"
                + "ALTER TABLE notes ADD COLUMN editor_id INTEGER REFERENCES users(id);");

    assertThat(analysis.findingsOf(ChangeKind.TABLE_REBUILD)).isEmpty();
    assertThat(analysis.classification()).isEqualTo("NEUTRAL");
    assertThat(analysis.findingsOf(ChangeKind.ADDITIVE))
        .extracting(ChangeFinding::object)
        .containsExactly("column notes.stars", "column notes.editor_id");
  }

  @Test
  void renamingAColumnThatATriggerUsesIsOnlyARename() {
    MigrationAnalysis analysis = classify("ALTER TABLE notes RENAME COLUMN title TO heading;");

    assertThat(analysis.findings())
        .extracting(ChangeFinding::describe)
        .singleElement()
        .asString()
        .startsWith("RENAME column notes.title: renames column notes.title to heading");
  }

  @Test
  void aDataOnlyMigrationChangesNoSchema() {
    MigrationAnalysis analysis = classify("UPDATE notes SET priority = 'high';");

    assertThat(analysis.classification()).isEqualTo("NO_SCHEMA_CHANGE");
    assertThat(analysis.findings()).isEmpty();
  }
}
