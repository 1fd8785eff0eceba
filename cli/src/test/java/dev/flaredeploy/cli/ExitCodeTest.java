package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.workflows.FailureTypes;
import org.junit.jupiter.api.Test;

class ExitCodeTest {

  @Test
  void aWorkerWithoutCloudflareTokenIsInvalidInput() {
    assertThat(ExitCode.ofFailureType(FailureTypes.CREDENTIALS_MISSING)).isEqualTo(ExitCode.INVALID_INPUT);
  }

  @Test
  void configurationAndUnsafeMigrationsAreInvalidInputAndTheRestFailed() {
    assertThat(ExitCode.ofFailureType(FailureTypes.CONFIG_INVALID)).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(ExitCode.ofFailureType(FailureTypes.MIGRATION_UNSAFE)).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(ExitCode.ofFailureType(FailureTypes.PREFLIGHT_FAILED)).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(ExitCode.ofFailureType(FailureTypes.CLOUDFLARE_REFUSED)).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(ExitCode.ofFailureType(FailureTypes.CLOUDFLARE_UNAVAILABLE)).isEqualTo(ExitCode.FAILED);
    assertThat(ExitCode.ofFailureType(FailureTypes.POLICY_BLOCKED)).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(ExitCode.ofFailureType(FailureTypes.DATA_CONFLICT)).as("data a pending migration would fail on")
        .isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(ExitCode.ofFailureType(FailureTypes.SMOKE_TEST_FAILED)).isEqualTo(ExitCode.FAILED);
    assertThat(ExitCode.ofFailureType(FailureTypes.MIGRATION_FAILED)).isEqualTo(ExitCode.FAILED);
  }
}
