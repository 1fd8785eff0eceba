package dev.flaredeploy.cli;

import dev.flaredeploy.workflows.model.FleetOptions;
import picocli.CommandLine.Option;

/** {@code --canary}, {@code --parallel}, {@code --max-failures}, {@code --all-or-nothing}: how a fleet run goes. */
final class WaveOptions {
  static final int DEFAULT_PARALLEL = 4;

  @Option(names = "--canary", paramLabel = "N",
      description = "fleet: deploy the first N members alone before the rest (default: 1)")
  Integer canary;

  @Option(names = "--parallel", paramLabel = "N",
      description = {"fleet: how many members deploy at once (default: [fleet] parallel of flaredeploy.toml,",
          "else " + DEFAULT_PARALLEL + ")"})
  Integer parallel;

  @Option(names = "--max-failures", paramLabel = "N",
      description = {"fleet: once more than N members failed, no new member starts and the rest are skipped",
          "(default: 0)"})
  Integer maxFailures;

  @Option(names = "--all-or-nothing",
      description = "fleet: run every member's checks (prepare, validate-schema) before any member changes anything")
  boolean allOrNothing;

  boolean given() {
    return canary != null || parallel != null || maxFailures != null || allOrNothing;
  }

  /** The options, checked (bad values: exit 2); {@code configuredParallel} from flaredeploy.toml, or null. */
  FleetOptions options(Integer configuredParallel) {
    int c = canary == null ? 1 : canary;
    int p = parallel != null ? parallel : configuredParallel != null ? configuredParallel : DEFAULT_PARALLEL;
    int f = maxFailures == null ? 0 : maxFailures;
    if (c < 0) {
      throw new CliException(ExitCode.INVALID_INPUT, "--canary must be 0 or more, got " + c);
    }
    if (p < 1) {
      throw new CliException(ExitCode.INVALID_INPUT, "--parallel must be at least 1, got " + p);
    }
    if (f < 0) {
      throw new CliException(ExitCode.INVALID_INPUT, "--max-failures must be 0 or more, got " + f);
    }
    return new FleetOptions(c, p, f, allOrNothing);
  }
}
