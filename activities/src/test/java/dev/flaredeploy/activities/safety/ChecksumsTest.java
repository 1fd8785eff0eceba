package dev.flaredeploy.activities.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChecksumsTest {
  private static final String INIT = Checksums.sha256("CREATE TABLE notes (id INTEGER PRIMARY KEY);");
  private static final String EDITED = Checksums.sha256("CREATE TABLE notes (id INTEGER PRIMARY KEY, x);");

  @Test
  void reportsAMigrationEditedAfterItWasApplied() {
    List<Finding> findings =
        Checksums.verify(
            List.of("0001_init.sql"), Map.of("0001_init.sql", INIT), Map.of("0001_init.sql", EDITED));

    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(Finding.Severity.ERROR);
              assertThat(f.code()).isEqualTo("checksum.edited");
              assertThat(f.subject()).isEqualTo("0001_init.sql");
              assertThat(f.message())
                  .startsWith("was edited after it was applied (sha256 " + INIT.substring(0, 12));
            });
  }

  @Test
  void reportsAnAppliedMigrationWhoseFileVanished() {
    List<Finding> findings =
        Checksums.verify(List.of("0001_init.sql"), Map.of("0001_init.sql", INIT), Map.of());

    assertThat(findings).extracting(Finding::code).containsExactly("checksum.vanished");
  }

  @Test
  void isQuietWhenFilesMatchAndAfterAnAcceptedRemoval() {
    assertThat(
            Checksums.verify(
                List.of("0001_init.sql", "0002_gone.sql"),
                Map.of("0001_init.sql", INIT, "0002_gone.sql", Checksums.VANISHED),
                Map.of("0001_init.sql", INIT, "0003_pending.sql", EDITED)))
        .isEmpty();
  }

  @Test
  void warnsAboutMigrationsAppliedWithoutAChecksum() {
    assertThat(Checksums.verify(List.of("0001_init.sql"), Map.of(), Map.of("0001_init.sql", INIT)))
        .extracting(Finding::severity, Finding::code)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(Finding.Severity.WARNING, "checksum.unrecorded"));
  }

  @Test
  void statementsRecordAndAcceptChecksumsInRealSqlite() throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite::memory:");
        Statement sql = db.createStatement()) {
      sql.execute(Checksums.CREATE_TABLE);
      sql.execute(Checksums.CREATE_TABLE);
      sql.execute(Checksums.insertStatement("0001_it's.sql", INIT));
      sql.execute(Checksums.insertStatement("0001_it's.sql", EDITED));
      assertThat(recorded(sql)).isEqualTo(Map.of("0001_it's.sql", INIT));

      sql.execute(Checksums.acceptStatement("0001_it's.sql", EDITED, "fixed a typo'; DROP TABLE x; --"));
      assertThat(recorded(sql)).isEqualTo(Map.of("0001_it's.sql", EDITED));
      try (ResultSet row = sql.executeQuery("SELECT accepted_reason, applied_at FROM " + Checksums.TABLE)) {
        assertThat(row.next()).isTrue();
        assertThat(row.getString(1)).isEqualTo("fixed a typo'; DROP TABLE x; --");
        assertThat(row.getString(2)).isNotBlank();
      }
    }
    assertThatThrownBy(() -> Checksums.acceptStatement("x.sql", EDITED, " "))
        .hasMessageContaining("needs a reason");
  }

  private static Map<String, String> recorded(Statement sql) throws Exception {
    java.util.Map<String, String> rows = new java.util.TreeMap<>();
    try (ResultSet row = sql.executeQuery(Checksums.SELECT)) {
      while (row.next()) {
        rows.put(row.getString(1), row.getString(2));
      }
    }
    return rows;
  }
}
