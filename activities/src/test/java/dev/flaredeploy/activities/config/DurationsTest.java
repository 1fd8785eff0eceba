package dev.flaredeploy.activities.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void readsEachUnit() {
    assertThat(Durations.parseMillis("250ms")).isEqualTo(250);
    assertThat(Durations.parseMillis("30s")).isEqualTo(30_000);
    assertThat(Durations.parseMillis("2m")).isEqualTo(120_000);
    assertThat(Durations.parseMillis("1h")).isEqualTo(3_600_000);
  }

  @Test
  void rejectsZero() {
    assertThatThrownBy(() -> Durations.parseMillis("0s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("greater than 0");
  }

  @Test
  void rejectsMissingUnitFractionsAndWords() {
    for (String text : new String[] {"30", "1.5s", "30 s", "30sec", "-1s", ""}) {
      assertThatThrownBy(() -> Durations.parseMillis(text))
          .as(text)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected a duration such as \"30s\"");
    }
  }

  @Test
  void rejectsDurationsThatOverflow() {
    assertThatThrownBy(() -> Durations.parseMillis("99999999999999999999h"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too long");
  }
}
