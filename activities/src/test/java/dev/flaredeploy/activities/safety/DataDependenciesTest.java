package dev.flaredeploy.activities.safety;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.activities.safety.DataDependency.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The statements of pending migrations whose outcome depends on live rows, found in a shadow of the live
 * schema, and their probes run against a real SQLite database holding the rows. Each case also applies the
 * migration to a copy of that database with its rows, as D1 would (one transaction, foreign keys on), so the
 * probes' verdict is checked against what really happens.
 */
class DataDependenciesTest {
  private static final String LIVE = """
      CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);
      INSERT INTO users VALUES (1, 'ada@example.com', 'Ada'), (2, 'ADA@example.com', 'Ada L'), (3, 'bob@example.com', NULL);
      CREATE TABLE notes (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES users(id), slug TEXT, body TEXT,
        secret TEXT);
      INSERT INTO notes VALUES (1, 1, 'hello', 'first', 'top secret 1'), (2, 2, 'hello', 'second', 'top secret 2'),
        (3, NULL, NULL, NULL, 'top secret 3'), (4, 3, NULL, 'fourth', 'top secret 4'), (5, 3, 'bye', 'fifth', 'top secret 5');
      CREATE TABLE tags (name TEXT PRIMARY KEY, note_id INTEGER);
      INSERT INTO tags VALUES ('news', 1), ('misc', 42);
      """;

  @Test
  void aUniqueIndexOverDuplicatedRowsIsFoundWithTheDuplicatedKeysOnly() {
    Outcome outcome = run(LIVE, "CREATE UNIQUE INDEX notes_by_slug ON notes(slug);");

    DataDependency probe = outcome.only();
    assertThat(probe.kind()).isEqualTo(Kind.UNIQUE);
    assertThat(probe.constraint()).isEqualTo("unique index notes_by_slug on notes(slug)");
    assertThat(probe.probe()).contains("LIMIT 6");
    assertThat(outcome.offending(probe)).containsExactly("slug = 'hello' (2 rows)");
    assertThat(outcome.failsForReal()).isTrue();
  }

  @Test
  void nullsDoNotCountAsDuplicatesAndAUniqueIndexOverDistinctRowsHolds() {
    Outcome outcome = run(LIVE, "CREATE UNIQUE INDEX notes_by_body ON notes(body);");

    assertThat(outcome.offending(outcome.only())).isEmpty();
    assertThat(outcome.failsForReal()).isFalse();
  }

  @Test
  void aCaseInsensitiveUniqueIndexGroupsWithItsCollation() {
    Outcome outcome = run(LIVE, "CREATE UNIQUE INDEX users_by_email ON users(email COLLATE NOCASE);");

    assertThat(outcome.offending(outcome.only())).containsExactly("email = 'ada@example.com' (2 rows)");
    assertThat(outcome.failsForReal()).isTrue();
  }

  @Test
  void aPartialUniqueIndexOnlyCoversTheRowsItsConditionSelects() {
    Outcome outcome = run(LIVE, "CREATE UNIQUE INDEX live_slugs ON notes(slug) WHERE author_id = 1;");

    assertThat(outcome.offending(outcome.only())).isEmpty();
    assertThat(outcome.failsForReal()).isFalse();
  }

  @Test
  void aMigrationThatRemovesTheDuplicatesFirstIsUndecidedNotBlocked() {
    Outcome outcome = run(LIVE, """
        DELETE FROM notes WHERE id NOT IN (SELECT MIN(id) FROM notes GROUP BY slug);
        CREATE UNIQUE INDEX notes_by_slug ON notes(slug);
        """);

    DataDependency dependency = outcome.only();
    assertThat(dependency.decidable()).isFalse();
    assertThat(dependency.undecided()).contains("notes was changed earlier in this deployment",
        "0001_test.sql statement 1, line 1");
    assertThat(outcome.failsForReal()).isFalse();
  }

  @Test
  void aRebuildThatAddsNotNullFindsTheRowsWithNullByTheirPrimaryKey() {
    Outcome outcome = run(LIVE, """
        PRAGMA defer_foreign_keys = true;
        CREATE TABLE notes_new (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES users(id), slug TEXT,
          body TEXT NOT NULL, secret TEXT);
        INSERT INTO notes_new (id, author_id, slug, body, secret) SELECT id, author_id, slug, body, secret FROM notes;
        DROP TABLE notes;
        ALTER TABLE notes_new RENAME TO notes;
        """);

    DataDependency notNull = outcome.dependencies().stream().filter(d -> d.kind() == Kind.NOT_NULL)
        .findFirst().orElseThrow();
    assertThat(notNull.constraint()).isEqualTo("NOT NULL notes_new.body");
    assertThat(outcome.offending(notNull)).containsExactly("id = 3");
    assertThat(outcome.dependencies()).as("the copy keeps the foreign key and the key of notes: not probed again")
        .extracting(DataDependency::kind).containsExactly(Kind.NOT_NULL);
    assertThat(outcome.failsForReal()).isTrue();
  }

  @Test
  void aRebuildWhoseCopyFillsTheNullsHolds() {
    Outcome outcome = run(LIVE, """
        CREATE TABLE notes_new (id INTEGER PRIMARY KEY, author_id INTEGER, slug TEXT, body TEXT NOT NULL, secret TEXT);
        INSERT INTO notes_new SELECT id, author_id, slug, COALESCE(body, ''), secret FROM notes;
        DROP TABLE notes;
        ALTER TABLE notes_new RENAME TO notes;
        """);

    assertThat(outcome.offending(outcome.only())).isEmpty();
    assertThat(outcome.failsForReal()).isFalse();
  }

  @Test
  void aRebuildThatKeepsEveryConstraintNeedsNoProbe() {
    String live = LIVE + "CREATE TABLE drafts (id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, title TEXT);\n"
        + "INSERT INTO drafts VALUES (1, 'a', 'A'), (2, 'b', NULL);\n";
    Outcome outcome = run(live, """
        CREATE TABLE drafts_new (id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, title TEXT, created_at TEXT);
        INSERT INTO drafts_new (id, slug, title) SELECT id, slug, title FROM drafts;
        DROP TABLE drafts;
        ALTER TABLE drafts_new RENAME TO drafts;
        """);

    assertThat(outcome.dependencies()).isEmpty();
    assertThat(outcome.failsForReal()).isFalse();
  }

  @Test
  void aRebuildThatAddsACheckOrAForeignKeyFindsTheRowsTheyRefuse() {
    Outcome check = run(LIVE, """
        CREATE TABLE tags_new (name TEXT PRIMARY KEY CHECK (length(name) > 3), note_id INTEGER);
        INSERT INTO tags_new SELECT name, note_id FROM tags;
        DROP TABLE tags;
        ALTER TABLE tags_new RENAME TO tags;
        """);
    assertThat(check.offending(check.only())).isEmpty();
    assertThat(check.failsForReal()).isFalse();

    Outcome foreignKey = run(LIVE, """
        PRAGMA defer_foreign_keys = true;
        CREATE TABLE tags_new (name TEXT PRIMARY KEY, note_id INTEGER REFERENCES notes(id));
        INSERT INTO tags_new SELECT name, note_id FROM tags;
        DROP TABLE tags;
        ALTER TABLE tags_new RENAME TO tags;
        """);
    DataDependency reference = foreignKey.only();
    assertThat(reference.kind()).isEqualTo(Kind.FOREIGN_KEY);
    assertThat(foreignKey.offending(reference)).containsExactly("note_id = 42");
    assertThat(foreignKey.failsForReal()).isTrue();
  }

  @Test
  void anUpdateThatGivesManyRowsTheSameKeyUnderAUniqueIndexIsFound() {
    String live = LIVE + "CREATE UNIQUE INDEX notes_by_slug_live ON notes(body);\n";
    Outcome outcome = run(live, "UPDATE notes SET body = 'same' WHERE author_id = 3;");

    assertThat(outcome.offending(outcome.only())).containsExactly("body = 'same' (2 rows)");
    assertThat(outcome.failsForReal()).isTrue();

    Outcome one = run(live, "UPDATE notes SET body = 'same' WHERE id = 4;");
    assertThat(one.offending(one.only())).isEmpty();
    assertThat(one.failsForReal()).isFalse();
  }

  @Test
  void anUpdateThatWritesNullIntoANotNullColumnNamesTheRows() {
    Outcome outcome = run(LIVE, "UPDATE users SET email = NULLIF(name, 'Ada');");

    assertThat(outcome.offending(outcome.only())).containsExactly("id = 1", "id = 3");
    assertThat(outcome.failsForReal()).isTrue();
  }

  @Test
  void aSeedThatCollidesWithALiveRowIsFoundAndOneThatReferencesALiveRowApplies() {
    Outcome collides = run(LIVE, "INSERT INTO tags (name, note_id) VALUES ('news', 2);");
    assertThat(collides.offending(collides.only())).containsExactly("name = 'news' (2 rows)");
    assertThat(collides.failsForReal()).isTrue();

    String withReferences = LIVE + "CREATE TABLE likes (user_id INTEGER NOT NULL REFERENCES users(id));\n";
    Outcome references = run(withReferences, "INSERT INTO likes VALUES (1), (3);");
    assertThat(references.trial().tried().get(0).failure()).as("not a failure: the shadow lacks users' rows").isNull();
    assertThat(references.offending(references.only())).isEmpty();
    assertThat(references.failsForReal()).isFalse();

    Outcome dangling = run(withReferences, "INSERT INTO likes VALUES (7);");
    assertThat(dangling.offending(dangling.only())).containsExactly("user_id = 7");
    assertThat(dangling.failsForReal()).isTrue();
  }

  @Test
  void aBackfillIntoAUniqueColumnCountsTheRowsAlreadyThere() {
    Outcome outcome = run(LIVE, "INSERT INTO tags (name, note_id) SELECT slug, id FROM notes WHERE slug = 'bye';");

    assertThat(outcome.offending(outcome.only())).isEmpty();
    assertThat(outcome.failsForReal()).isFalse();

    Outcome twice = run(LIVE, "INSERT INTO tags (name, note_id) SELECT slug, id FROM notes WHERE slug IS NOT NULL;");
    assertThat(twice.offending(twice.only())).containsExactly("name = 'hello' (2 rows)");
    assertThat(twice.failsForReal()).isTrue();
  }

  @Test
  void anAddedColumnWhoseCheckTheExistingRowsFailIsFound() {
    Outcome outcome = run(LIVE, "ALTER TABLE users ADD COLUMN karma INTEGER DEFAULT 0 CHECK (karma > 0 OR name IS NULL);");

    assertThat(outcome.offending(outcome.only())).containsExactly("id = 1", "id = 2");
    assertThat(outcome.failsForReal()).isTrue();
  }

  @Test
  void droppingATableThatLiveRowsReferToIsFound() {
    Outcome outcome = run(LIVE, """
        PRAGMA defer_foreign_keys = true;
        CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);
        INSERT INTO users_new SELECT id, email, name FROM users;
        DROP TABLE users;
        ALTER TABLE users_new RENAME TO users;
        """);

    DataDependency referenced = outcome.only();
    assertThat(referenced.kind()).isEqualTo(Kind.REFERENCED);
    assertThat(referenced.constraint()).isEqualTo("foreign key notes(author_id) → users(id) (ON DELETE NO ACTION)");
    assertThat(outcome.offending(referenced)).containsExactly("id = 1", "id = 2", "id = 4", "id = 5");
    assertThat(outcome.failsForReal()).isTrue();
  }

  @Test
  void rowsOfATableThisDeploymentCreatesAreTheShadowsToCheck() {
    Outcome outcome = run(LIVE, """
        CREATE TABLE roles (name TEXT);
        INSERT INTO roles VALUES ('admin'), ('admin');
        """);
    assertThat(outcome.dependencies()).isEmpty();

    Outcome later = run(LIVE, List.of("CREATE TABLE roles (name TEXT);\nINSERT INTO roles VALUES ('admin');",
        "CREATE UNIQUE INDEX roles_by_name ON roles(name);"));
    assertThat(later.dependencies()).isEmpty();

    Outcome copied = run(LIVE, List.of("CREATE TABLE slugs (slug TEXT);\nINSERT INTO slugs SELECT slug FROM notes;",
        "CREATE UNIQUE INDEX slugs_unique ON slugs(slug);"));
    assertThat(copied.only().decidable()).as("the rows came from live rows").isFalse();
  }

  @Test
  void keysOfOffendingRowsNeverShowOtherColumns() {
    Outcome outcome = run(LIVE, """
        CREATE TABLE notes_new (id INTEGER PRIMARY KEY, author_id INTEGER, slug TEXT NOT NULL, body TEXT, secret TEXT);
        INSERT INTO notes_new SELECT id, author_id, slug, body, secret FROM notes;
        DROP TABLE notes;
        ALTER TABLE notes_new RENAME TO notes;
        """);

    List<String> keys = outcome.offending(outcome.only());
    assertThat(keys).containsExactly("id = 3", "id = 4");
    assertThat(String.join(" ", keys)).doesNotContain("secret", "fourth");
  }

  // ---- helpers ----

  private record Outcome(ShadowTrial trial, LiveDatabase live, boolean failsForReal) {
    List<DataDependency> dependencies() {
      List<DataDependency> all = new ArrayList<>();
      trial.tried().forEach(t -> all.addAll(t.dependencies()));
      return all;
    }

    DataDependency only() {
      assertThat(dependencies()).hasSize(1);
      return dependencies().get(0);
    }

    /** The keys the probe finds in the live rows, as a person reads them. */
    List<String> offending(DataDependency dependency) {
      assertThat(dependency.decidable()).as(dependency.undecided()).isTrue();
      List<Map<String, String>> rows = live.query(dependency.probe());
      return rows.stream().map(dependency::describe).toList();
    }
  }

  private static Outcome run(String live, String migration) {
    return run(live, List.of(migration));
  }

  private static Outcome run(String live, List<String> migrations) {
    List<MigrationSource> pending = new ArrayList<>();
    for (int i = 0; i < migrations.size(); i++) {
      pending.add(new MigrationSource(String.format("%04d_test.sql", i + 1), migrations.get(i)));
    }
    LiveDatabase database = LiveDatabase.of(live);
    ShadowTrial trial = ShadowTrial.of("DB (live schema)", database.definitions(), pending);
    assertThat(trial.tried()).allSatisfy(t -> assertThat(t.failure()).isNull());
    boolean fails = false;
    try (ShadowDatabase real = ShadowDatabase.fromSchema(live)) {
      for (MigrationSource migration : pending) {
        real.apply(migration.name(), migration.sql());
      }
    } catch (ShadowMigrationException e) {
      fails = true;
    }
    return new Outcome(trial, database, fails);
  }
}
