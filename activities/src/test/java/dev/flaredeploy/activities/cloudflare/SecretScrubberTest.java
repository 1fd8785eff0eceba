package dev.flaredeploy.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.activities.process.ProcessResult;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretScrubberTest {
  private static final String TOKEN = "cfut_0123456789abcdefABCDEF";

  private final SecretScrubber scrubber = new SecretScrubber(List.of(TOKEN));

  @Test
  void removesTheTokenWhereverItAppears() {
    assertThat(scrubber.scrub("token=" + TOKEN + "&x=" + TOKEN + "\n" + TOKEN))
        .isEqualTo("token=***&x=***\n***");
  }

  @Test
  void removesWhateverFollowsBearerAndKeepsThePunctuationAroundIt() {
    assertThat(scrubber.scrub("(Authorization: Bearer some.other-token_==), \"Bearer abc\""))
        .isEqualTo("(Authorization: Bearer ***), \"Bearer ***\"");
    assertThat(scrubber.scrub("Bearer " + TOKEN + ")")).isEqualTo("Bearer ***)");
  }

  @Test
  void scrubsBothStreamsOfAProcessResultAndKeepsItsExitCode() {
    ProcessResult clean = scrubber.scrub(new ProcessResult(1, "out " + TOKEN, "err " + TOKEN));
    assertThat(clean).isEqualTo(new ProcessResult(1, "out ***", "err ***"));
  }

  @Test
  void ignoresMissingAndTooShortSecretsSoOrdinaryWordsSurvive() {
    SecretScrubber none = new SecretScrubber(Arrays.asList(null, "", "  ", "abc"));
    assertThat(none.scrub("abc is not a secret")).isEqualTo("abc is not a secret");
    assertThat(none.scrub((String) null)).isNull();
  }
}
