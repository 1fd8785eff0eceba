package dev.flaredeploy.activities.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationOrderTest {

  @Test
  void ordersByNumberNotByText() {
    assertThat(MigrationOrder.sort(List.of("10_c.sql", "2_b.sql", "1_a.sql")))
        .containsExactly("1_a.sql", "2_b.sql", "10_c.sql");
  }

  @Test
  void readsZeroPaddedPrefixesAsNumbers() {
    assertThat(MigrationOrder.sort(List.of("0010_c.sql", "0002_b.sql", "0001_a.sql")))
        .containsExactly("0001_a.sql", "0002_b.sql", "0010_c.sql");
  }

  @Test
  void putsNamesWithoutANumberAfterNumberedOnesByName() {
    assertThat(MigrationOrder.sort(List.of("seed.sql", "2_b.sql", "alpha_x.sql", "1_a.sql")))
        .containsExactly("1_a.sql", "2_b.sql", "alpha_x.sql", "seed.sql");
  }

  @Test
  void breaksTiesOfEqualNumbersByName() {
    assertThat(MigrationOrder.sort(List.of("01_b.sql", "1_a.sql", "1_c.sql")))
        .containsExactly("01_b.sql", "1_a.sql", "1_c.sql");
  }

  @Test
  void takesTheNumberFromTheTextBeforeTheFirstUnderscoreLikeParseInt() {
    assertThat(MigrationOrder.number("0001_create_notes.sql")).hasValue(1);
    assertThat(MigrationOrder.number("10.sql")).hasValue(10);
    assertThat(MigrationOrder.number("7a_x.sql")).hasValue(7);
    assertThat(MigrationOrder.number("-3_x.sql")).hasValue(-3);
    assertThat(MigrationOrder.number(" 4_x.sql")).hasValue(4);
    assertThat(MigrationOrder.number("0x1A_x.sql")).hasValue(26);
    assertThat(MigrationOrder.number("v1_x.sql")).isEmpty();
    assertThat(MigrationOrder.number("_1.sql")).isEmpty();
  }
}
