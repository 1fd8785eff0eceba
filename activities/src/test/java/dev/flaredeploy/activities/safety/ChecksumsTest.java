package dev.flaredeploy.activities.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flaredeploy.activities.safety.Checksums.Recorded;
import dev.flaredeploy.workflows.model.ChecksumProblem;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ChecksumsTest {
  private static final String INIT = Checksums.sha256("CREATE TABLE notes (id INTEGER PRIMARY KEY);");
  private static final String EDITED = Checksums.sha256("CREATE TABLE notes (id INTEGER PRIMARY KEY, x);");
  private static final String WHEN = "2026-01-02 03:04:05";

  @Test
  void reportsAMigrationEditedAfterItWasAppliedWithBothChecksumsAndWhen() {
    Checksums.Verification found = Checksums.problems("DB", List.of("0001_init.sql"),
        Map.of("0001_init.sql", recorded("0001_init.sql", INIT)), Map.of("0001_init.sql", EDITED));

    assertThat(found.problems()).singleElement().satisfies(p -> {
      assertThat(p.kind()).isEqualTo(ChecksumProblem.EDITED);
      assertThat(p.binding()).isEqualTo("DB");
      assertThat(p.file()).isEqualTo("0001_init.sql");
      assertThat(p.recordedSha256()).isEqualTo(INIT);
      assertThat(p.currentSha256()).isEqualTo(EDITED);
      assertThat(p.appliedAt()).isEqualTo(WHEN);
      assertThat(p.message()).startsWith("DB 0001_init.sql was edited after it was applied (" + WHEN + " UTC): sha256 "
          + INIT.substring(0, 12) + " then, " + EDITED.substring(0, 12) + " now");
    });
    assertThat(found.unrecorded()).isEmpty();
  }

  @Test
  void reportsAnAppliedMigrationWhoseFileVanishedEvenWithoutARecordedChecksum() {
    Checksums.Verification found = Checksums.problems("DB", List.of("0001_init.sql", "0002_old.sql"),
        Map.of("0001_init.sql", recorded("0001_init.sql", INIT)), Map.of());

    assertThat(found.problems()).extracting(ChecksumProblem::file, ChecksumProblem::kind).containsExactly(
        org.assertj.core.groups.Tuple.tuple("0001_init.sql", ChecksumProblem.VANISHED),
        org.assertj.core.groups.Tuple.tuple("0002_old.sql", ChecksumProblem.VANISHED));
    assertThat(found.problems().get(1).appliedAt()).isNull();
  }

  @Test
  void isQuietWhenFilesMatchAndAfterAnAcceptedRemovalButNotWhenTheRemovedFileIsBack() {
    Map<String, Recorded> recorded = Map.of("0001_init.sql", recorded("0001_init.sql", INIT),
        "0002_gone.sql", recorded("0002_gone.sql", Checksums.VANISHED));

    assertThat(Checksums.problems("DB", List.of("0001_init.sql", "0002_gone.sql"), recorded,
        Map.of("0001_init.sql", INIT, "0003_pending.sql", EDITED)).problems()).isEmpty();
    assertThat(Checksums.problems("DB", List.of("0001_init.sql", "0002_gone.sql"), recorded,
        Map.of("0001_init.sql", INIT, "0002_gone.sql", EDITED)).problems())
        .singleElement().satisfies(p -> assertThat(p.message()).contains("removal was accepted, but the file is back"));
  }

  @Test
  void migrationsAppliedWithoutAChecksumAreUnrecordedNotProblems() {
    Checksums.Verification found =
        Checksums.problems("DB", List.of("0001_init.sql"), Map.of(), Map.of("0001_init.sql", INIT));

    assertThat(found.problems()).isEmpty();
    assertThat(found.unrecorded()).containsExactly("0001_init.sql");
  }

  @Test
  void statementsRecordKeepAndAcceptChecksumsInRealSqlite() throws Exception {
    try (Connection db = DriverManager.getConnection("jdbc:sqlite::memory:");
        Statement sql = db.createStatement()) {
      sql.executeUpdate(Checksums.recordStatement(Map.of("0001_it's.sql", INIT)));
      // a retry, or the next deployment, records again: the first record stays
      sql.executeUpdate(Checksums.recordStatement(Map.of("0001_it's.sql", EDITED, "0002_b.sql", INIT)));
      assertThat(rows(sql)).containsEntry("0001_it's.sql", INIT).containsEntry("0002_b.sql", INIT);

      sql.executeUpdate(Checksums.acceptStatement("0001_it's.sql", EDITED, "fixed a typo'; DROP TABLE x; --", "ada@box"));
      sql.executeUpdate(Checksums.recordStatement(Map.of("0001_it's.sql", INIT)));
      assertThat(rows(sql)).containsEntry("0001_it's.sql", EDITED);
      try (ResultSet row = sql.executeQuery(Checksums.SELECT)) {
        assertThat(row.next()).isTrue();
        assertThat(row.getString("accepted_reason")).isEqualTo("fixed a typo'; DROP TABLE x; --");
        assertThat(row.getString("accepted_by")).isEqualTo("ada@box");
        assertThat(row.getString("accepted_at")).isNotBlank();
        assertThat(row.getString("applied_at")).isNotBlank();
      }
    }
    assertThatThrownBy(() -> Checksums.acceptStatement("x.sql", EDITED, " ", "ada@box"))
        .hasMessageContaining("needs a reason");
  }

  private static Recorded recorded(String name, String sha256) {
    return new Recorded(name, sha256, WHEN, null, null, null);
  }

  private static Map<String, String> rows(Statement sql) throws Exception {
    Map<String, String> rows = new TreeMap<>();
    try (ResultSet row = sql.executeQuery(Checksums.SELECT)) {
      while (row.next()) {
        rows.put(row.getString(1), row.getString(2));
      }
    }
    return rows;
  }
}
