package dev.flaredeploy.activities.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShadowDatabaseTest {
  /** A real local export (wrangler 4.86, miniflare's dumpSql) of a database with one migration applied. */
  static final String EXPORT =
      """
      PRAGMA defer_foreign_keys=TRUE;
      CREATE TABLE d1_migrations(
      		id         INTEGER PRIMARY KEY AUTOINCREMENT,
      		name       TEXT UNIQUE,
      		applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
      );
      INSERT INTO "d1_migrations" VALUES(1,'0001_init.sql','2026-11-21 19:28:24');
      CREATE TABLE _cf_KV (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID;
      INSERT INTO "_cf_KV" VALUES('x', X'00');
      CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);
      INSERT INTO "users" VALUES(1,'alice','a@x');
      INSERT INTO "users" VALUES(2,'bob; the builder','b@x');
      CREATE TABLE notes (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES users(id), body TEXT);
      INSERT INTO "notes" VALUES(1,1,'-- not a comment');
      DELETE FROM sqlite_sequence;
      INSERT INTO "sqlite_sequence" VALUES('d1_migrations',1);
      """;

  @Test
  void loadsAWranglerExportWithoutD1InternalsOrTheSequenceTable() {
    try (ShadowDatabase shadow = ShadowDatabase.fromSchema(EXPORT)) {
      Schema schema = shadow.snapshot();
      assertThat(schema.tables().keySet()).containsExactly("d1_migrations", "notes", "users");
      assertThat(schema.table("notes").orElseThrow().foreignKeys())
          .extracting(ForeignKey::describe)
          .containsExactly("(author_id) → users(id)");
    }
  }

  @Test
  void reportsTheFileTheStatementAndSqlitesMessageWhenTheThirdStatementIsWrong() {
    String migration =
        """
        -- 0002: search by e-mail
        ALTER TABLE users ADD COLUMN created_at TEXT;
        UPDATE users SET created_at = '2026-01-01';
        CREATE INDX users_by_email ON users(email);
        CREATE TABLE never (id INTEGER);
        """;
    try (ShadowDatabase shadow = ShadowDatabase.fromSchema(EXPORT)) {
      Schema before = shadow.snapshot();

      ShadowMigrationException failure =
          catchThrowableOfType(
              () -> shadow.apply("0002_email_index.sql", migration), ShadowMigrationException.class);

      assertThat(failure.migration()).isEqualTo("0002_email_index.sql");
      assertThat(failure.statementIndex()).isEqualTo(3);
      assertThat(failure.statementCount()).isEqualTo(4);
      assertThat(failure.line()).isEqualTo(4);
      assertThat(failure.statement()).isEqualTo("CREATE INDX users_by_email ON users(email);");
      assertThat(failure.sqliteMessage()).isEqualTo("near \"INDX\": syntax error");
      assertThat(failure.sqliteCode()).isEqualTo("SQLITE_ERROR");
      assertThat(failure)
          .hasMessage(
              "migration 0002_email_index.sql fails at statement 3 of 4 (line 4): near \"INDX\":"
                  + " syntax error [SQLITE_ERROR]: CREATE INDX users_by_email ON users(email);");
      assertThat(shadow.snapshot()).as("rolled back as D1 would").isEqualTo(before);
    }
  }

  @Test
  void enforcesForeignKeysLikeD1() {
    try (ShadowDatabase shadow = ShadowDatabase.fromSchema(EXPORT)) {
      ShadowMigrationException failure =
          catchThrowableOfType(
              () -> shadow.apply("0003_seed.sql", "INSERT INTO notes VALUES (2, 99, 'orphan');"),
              ShadowMigrationException.class);

      assertThat(failure.statementIndex()).isEqualTo(1);
      assertThat(failure.sqliteMessage()).contains("FOREIGN KEY constraint failed");
    }
  }

  @Test
  void aMigrationThatGeneratesMillionsOfRowsIsOnlyCompiledThereWhileItsSchemaChangesAndSmallInsertsRun() {
    String migration =
        """
        CREATE TABLE readings (id INTEGER PRIMARY KEY, value REAL NOT NULL);
        INSERT INTO readings (value) VALUES (1.5);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000)
        INSERT INTO readings (value) SELECT i * 0.5 FROM n;
        CREATE INDEX readings_by_value ON readings (value);
        """;
    try (ShadowDatabase shadow = ShadowDatabase.empty()) {
      List<String> seen = new ArrayList<>();
      shadow.apply("0001_seed.sql", migration, new ShadowDatabase.StatementObserver() {
        @Override
        public void before(SqlStatement statement, ShadowDatabase db) {
          seen.add("before " + statement.index());
        }

        @Override
        public void after(SqlStatement statement, ShadowDatabase db) {
          seen.add("after " + statement.index());
        }
      });

      assertThat(shadow.exists("readings_by_value")).as("the index after the generator").isTrue();
      assertThat(shadow.rowCount("readings")).as("the one-row insert ran, the generator was only compiled").isEqualTo(1);
      assertThat(seen).as("the observer sees each statement once, in order")
          .containsExactly("before 1", "after 1", "before 2", "after 2", "before 3", "after 3", "before 4", "after 4");
    }
  }

  @Test
  void aGeneratorThatNamesAColumnThatDoesNotExistStillFailsThere() {
    try (ShadowDatabase shadow = ShadowDatabase.fromSchema(EXPORT)) {
      ShadowMigrationException failure = catchThrowableOfType(() -> shadow.apply("0003_backfill.sql", """
          WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000)
          INSERT INTO users (name, nickname) SELECT 'user ' || i, 'u' FROM n;
          """), ShadowMigrationException.class);

      assertThat(failure.sqliteMessage()).contains("nickname");
    }
  }

  @Test
  void checksDeferredForeignKeysAtTheEndOfTheMigration() {
    try (ShadowDatabase shadow = ShadowDatabase.fromSchema(EXPORT)) {
      ShadowMigrationException failure =
          catchThrowableOfType(
              () ->
                  shadow.apply(
                      "0003_seed.sql",
                      "PRAGMA defer_foreign_keys = true; INSERT INTO notes VALUES (2, 99, 'x');"),
              ShadowMigrationException.class);

      assertThat(failure.statementIndex()).isZero();
      assertThat(failure).hasMessageContaining("at its end (deferred foreign key checks)");
    }
  }

  @Test
  void refusesTransactionStatementsThatRemoteD1Rejects() {
    try (ShadowDatabase shadow = ShadowDatabase.empty()) {
      ShadowMigrationException failure =
          catchThrowableOfType(
              () -> shadow.apply("0001_init.sql", "BEGIN TRANSACTION;\nCREATE TABLE t(a);\nCOMMIT;"),
              ShadowMigrationException.class);

      assertThat(failure.statementIndex()).isEqualTo(1);
      assertThat(failure.sqliteMessage()).contains("rejects BEGIN");
    }
  }

  @Test
  void appliesATriggerWhoseBodyHoldsCaseEndAndLowerCaseKeywords() {
    String migration =
        """
        CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);
        create trigger users_audit after insert on users
        begin
          insert into audit (what) values (case when new.email is null then 'no; mail' else 'mail' end);
          update audit set what = what || ';' where id = last_insert_rowid();
        end;
        INSERT INTO users (name) VALUES ('carol');
        """;
    try (ShadowDatabase shadow = ShadowDatabase.fromSchema(EXPORT)) {
      shadow.apply("0002_audit.sql", migration);

      assertThat(shadow.snapshot().triggers()).containsKey("users_audit");
    }
  }
}
