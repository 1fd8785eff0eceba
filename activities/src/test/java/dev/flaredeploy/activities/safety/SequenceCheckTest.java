package dev.flaredeploy.activities.safety;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SequenceCheckTest {

  @Test
  void aCleanSequenceHasNoFindings() {
    assertThat(SequenceCheck.check(List.of("0002_b.sql", "0001_a.sql", "README.md", "0003_c.sql")))
        .isEmpty();
  }

  @Test
  void reportsDuplicateNumbersAsErrors() {
    assertThat(SequenceCheck.check(List.of("0001_a.sql", "0002_b.sql", "0002_c.sql")))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.severity()).isEqualTo(Finding.Severity.ERROR);
              assertThat(f.code()).isEqualTo("sequence.duplicate");
              assertThat(f.message()).startsWith("0002_b.sql and 0002_c.sql share number 2");
            });
  }

  @Test
  void warnsAboutGaps() {
    assertThat(SequenceCheck.check(List.of("0001_a.sql", "0002_b.sql", "0004_d.sql", "0008_h.sql")))
        .extracting(Finding::severity, Finding::message)
        .extracting(t -> t.toList().get(0) + " " + t.toList().get(1))
        .containsExactly(
            "WARNING no migration has number 3 (between 0002_b.sql and 0004_d.sql): a file may be"
                + " missing or not yet merged",
            "WARNING no migration has numbers 5–7 (between 0004_d.sql and 0008_h.sql): a file may be"
                + " missing or not yet merged");
  }

  @Test
  void warnsWhenWranglersOrderDiffersFromTheNames() {
    assertThat(SequenceCheck.check(List.of("8_w.sql", "9_y.sql", "10_x.sql")))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.code()).isEqualTo("sequence.order");
              assertThat(f.message())
                  .isEqualTo(
                      "wrangler applies 9_y.sql before 10_x.sql, but 10_x.sql sorts first by name (in"
                          + " ls, editors and other tools)");
              assertThat(f.remedy()).isEqualTo("pad the numbers to one width, e.g. 0009_y.sql and 0010_x.sql");
            });
  }

  @Test
  void reportsFilesWranglerIgnoresAndNamesWithoutANumber() {
    assertThat(
            SequenceCheck.check(
                List.of("0001_a.sql", "0002_b.SQL", "0003_c.sql.bak", "seed.sql", "notes.txt")))
        .extracting(Finding::describe)
        .containsExactly(
            "ERROR sequence.ignored 0002_b.SQL: is never applied: wrangler only reads names ending in"
                + " \".sql\" (in lower case)",
            "WARNING sequence.ignored 0003_c.sql.bak: looks like a migration but is never applied:"
                + " wrangler only reads names ending in \".sql\"",
            "ERROR sequence.unnumbered seed.sql: has no number before its first underscore: wrangler"
                + " cannot order it and applies it wherever the directory listing puts it, which"
                + " differs between machines");
  }

  @Test
  void warnsWhenParseIntReadsSomethingElseThanTheNameShows() {
    assertThat(SequenceCheck.check(List.of("0x10_hex.sql", "15_b.sql")))
        .extracting(Finding::code, Finding::message)
        .extracting(t -> t.toList().get(0) + ": " + t.toList().get(1))
        .contains("sequence.prefix: wrangler reads its number as 16 (parseInt of \"0x10\")");
  }
}
