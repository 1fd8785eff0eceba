package dev.flaredeploy.activities.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Shapes as wrangler 4.86 prints them (ANSI already stripped by the process runner). */
class D1OutputTest {

  @Test
  void readsTheRowsOfEachStatementAfterTheLeadingBlankLine() {
    String stdout =
        "\n[\n  {\"results\": [], \"success\": true, \"meta\": {\"duration\": 1}},\n"
            + "  {\"results\": [{\"name\": \"0001_a.sql\"}, {\"name\": \"0002_b.sql\"}], \"success\": true}\n]\n";

    assertThat(D1Output.results(stdout).orElseThrow()).hasSize(2);
    assertThat(D1Output.results(stdout).orElseThrow().get(1))
        .extracting(row -> row.path("name").asText())
        .containsExactly("0001_a.sql", "0002_b.sql");
    assertThat(D1Output.firstRows(stdout).orElseThrow()).isEmpty();
  }

  @Test
  void readsTheLocalAndTheRemoteJsonError() {
    assertThat(D1Output.executeError("\n{\"error\": {\"text\": \"no such table: d1_migrations: SQLITE_ERROR\"}}\n"))
        .contains("no such table: d1_migrations: SQLITE_ERROR");
    assertThat(
            D1Output.executeError(
                "{\"error\":{\"text\":\"A request to the Cloudflare API failed.\","
                    + "\"notes\":[{\"text\":\"no such table: x: SQLITE_ERROR [code: 7500]\"}]}}"))
        .contains("A request to the Cloudflare API failed.\nno such table: x: SQLITE_ERROR [code: 7500]");
    assertThat(D1Output.executeError("[{\"results\":[]}]")).isEmpty();
    assertThat(D1Output.firstRows("{\"error\":{\"text\":\"x\"}}")).isEmpty();
  }

  @Test
  void findsTheFailedMigrationAndSqlitesComplaint() {
    String stderr =
        "✘ [ERROR] Migration 0003_half_bad.sql failed with the following errors:\n\n\n"
            + "✘ [ERROR] no such table: nonexistent_table: SQLITE_ERROR\n\n\n"
            + "🪵  Logs were written to \"/tmp/logs/wrangler-2026.log\"\n";

    D1Output.MigrationError error = D1Output.migrationError(stderr).orElseThrow();

    assertThat(error.file()).isEqualTo("0003_half_bad.sql");
    assertThat(error.error()).isEqualTo("no such table: nonexistent_table: SQLITE_ERROR");
  }

  @Test
  void aFailureThatIsNotAboutAMigrationIsNotReadAsOne() {
    String stderr =
        "✘ [ERROR] Couldn't find a D1 DB with the name or binding 'NOPE' in your wrangler.toml file.\n\n"
            + "🪵  Logs were written to \"/tmp/x.log\"\n";

    assertThat(D1Output.migrationError(stderr)).isEmpty();
    assertThat(D1Output.complaint("Resource location: local\n", stderr))
        .isEqualTo("Couldn't find a D1 DB with the name or binding 'NOPE' in your wrangler.toml file.");
  }

  @Test
  void complaintPrefersTheJsonErrorOnStdout() {
    assertThat(D1Output.complaint("\n{\"error\":{\"text\":\"CHECK constraint failed\"}}", ""))
        .isEqualTo("CHECK constraint failed");
    assertThat(D1Output.complaint("", "")).isEqualTo("(wrangler printed nothing)");
  }

  @Test
  void toleratesOutputThatIsNotJson() {
    assertThat(D1Output.results("Resource location: local\n")).isEmpty();
    assertThat(D1Output.results("[not json")).isEmpty();
  }
}
