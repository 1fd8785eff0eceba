package dev.flaredeploy.activities.safety;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlStatementsTest {

  @Test
  void splitsAtSemicolonsOutsideStringsIdentifiersAndComments() {
    List<SqlStatement> statements =
        SqlStatements.split(
            """
            -- a comment; not a statement
            INSERT INTO t VALUES ('a;b', "c;d", [e;f], `g;h`); /* block; comment */
            SELECT 'it''s; fine';
            """);

    assertThat(statements)
        .extracting(SqlStatement::sql)
        .containsExactly(
            "INSERT INTO t VALUES ('a;b', \"c;d\", [e;f], `g;h`);", "SELECT 'it''s; fine';");
    assertThat(statements).extracting(SqlStatement::line).containsExactly(2, 3);
    assertThat(statements).extracting(SqlStatement::index).containsExactly(1, 2);
  }

  @Test
  void keepsATriggerBodyInOneStatement() {
    List<SqlStatement> statements =
        SqlStatements.split(
            """
            CREATE TABLE t (a);
            CREATE TEMP TRIGGER IF NOT EXISTS t_ai AFTER INSERT ON t
            BEGIN
              UPDATE t SET a = CASE WHEN new.a IS NULL THEN 0 ELSE new.a END;
              INSERT INTO log VALUES ('end;');
            END;
            create trigger t_ad after delete on t begin delete from log; end;
            SELECT 1;
            """);

    assertThat(statements).hasSize(4);
    assertThat(statements.get(1).sql()).startsWith("CREATE TEMP TRIGGER").endsWith("END;");
    assertThat(statements.get(2).sql()).isEqualTo(
        "create trigger t_ad after delete on t begin delete from log; end;");
    assertThat(statements.get(3).line()).isEqualTo(8);
  }

  @Test
  void returnsAnUnterminatedLastStatementAndSkipsEmptyOnes() {
    List<SqlStatement> statements = SqlStatements.split(";; SELECT 1;\n\n  SELECT 2  \n-- done");

    assertThat(statements).extracting(SqlStatement::sql).containsExactly("SELECT 1;", "SELECT 2  \n-- done");
    assertThat(statements).extracting(SqlStatement::terminated).containsExactly(true, false);
    assertThat(SqlStatements.split("-- only a comment\n")).isEmpty();
  }

  @Test
  void wranglersSplitterCutsATriggerWhoseBodyHoldsAParenthesizedCase() {
    // verified with wrangler 4.86: migrations apply --local fails with "incomplete input: SQLITE_ERROR"
    String migration =
        """
        CREATE TRIGGER notes_au AFTER UPDATE ON notes BEGIN
          UPDATE audit SET what = (CASE WHEN new.body IS NULL THEN 'e' ELSE 'b' END );
          DELETE FROM audit WHERE id < 0;
        END;
        """;

    assertThat(SqlStatements.split(migration)).hasSize(1);
    assertThat(WranglerSplitter.split(migration)).hasSize(3);
    assertThat(WranglerCompatibility.check(new MigrationSource("0005_trigger.sql", migration)))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("wrangler.split");
              assertThat(f.message())
                  .startsWith("wrangler's splitter cuts statement 1 (line 1: CREATE TRIGGER notes_au")
                  .contains("short: it sends \"CREATE TRIGGER notes_au AFTER UPDATE ON notes BEGIN");
            });
  }

  @Test
  void acceptsTriggersThatWranglersSplitterKeepsWholeOrMergesHarmlessly() {
    // each applied with wrangler 4.86 migrations apply --local: all succeed
    List<String> migrations =
        List.of(
            """
            CREATE TABLE t (a);
            CREATE TRIGGER t_ai AFTER INSERT ON t
            BEGIN
              INSERT INTO log VALUES ('x;y');
              UPDATE t SET a = CASE WHEN new.a IS NULL THEN 0 ELSE new.a END;
            END;
            -- trailing comment
            """,
            """
            create trigger t_ad after delete on t begin
              delete from log where id < 0;
            end;
            CREATE TABLE z (a);
            """);

    for (String migration : migrations) {
      assertThat(WranglerCompatibility.check(new MigrationSource("0005_trigger.sql", migration)))
          .isEmpty();
    }
    assertThat(WranglerSplitter.split(migrations.get(0))).hasSize(2);
    assertThat(WranglerSplitter.split(migrations.get(1))).as("lower-case end never closes").hasSize(1);
  }

  @Test
  void reportsALastStatementWithoutSemicolon() {
    assertThat(WranglerCompatibility.check(new MigrationSource("0007_x.sql", "CREATE TABLE x (a)\n")))
        .extracting(Finding::code)
        .containsExactly("wrangler.unterminated");
  }
}
