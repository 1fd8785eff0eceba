package dev.flaredeploy.cli;

import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.FleetReport;
import java.util.LinkedHashMap;
import java.util.Map;

/** The exit codes of every command: a documented contract, mapped here and only here. */
public final class ExitCode {
  public static final int SUCCEEDED = 0;
  public static final int FAILED = 1;
  public static final int INVALID_INPUT = 2;
  public static final int REFUSED = 3;
  public static final int UNAVAILABLE = 4;
  public static final int NEEDS_ATTENTION = 5;

  /** As listed in {@code --help}. */
  public static final Map<String, String> HELP = orderedHelp();

  private static Map<String, String> orderedHelp() {
    Map<String, String> help = new LinkedHashMap<>();
    help.put("0", "succeeded (including a deployment that had nothing to do)");
    help.put("1", "failed and was rolled back, or cancelled: nothing is left half-done");
    help.put("2", "invalid input or configuration (or the worker has no Cloudflare token): nothing was changed");
    help.put("3", "refused because of state: the same service and environment is being deployed, or unknown id");
    help.put("4", "Temporal unreachable, or an internal error");
    help.put("5", "failed and a compensation did not complete: a person must act (the output says what)");
    return java.util.Collections.unmodifiableMap(help);
  }

  /** The exit code a finished (or running) deployment stands for. */
  public static int of(DeploymentReport report) {
    return switch (report.state()) {
      case "SUCCEEDED", "RUNNING" -> SUCCEEDED;
      case "NEEDS_ATTENTION" -> NEEDS_ATTENTION;
      case "FAILED" -> report.error() != null ? ofFailureType(report.error().type()) : FAILED;
      default -> FAILED;
    };
  }

  /**
   * The exit code a fleet run stands for: 0 when every member succeeded (or it still runs), 5 when a member's
   * compensation needs a person, else 1 (a member failed or was skipped, or the fleet was cancelled, and every
   * member that changed something undid it).
   */
  public static int of(FleetReport report) {
    return switch (report.state()) {
      case "SUCCEEDED", "RUNNING" -> SUCCEEDED;
      case "NEEDS_ATTENTION" -> NEEDS_ATTENTION;
      default -> FAILED;
    };
  }

  /**
   * A failed deployment's exit code by its failure type: 2 when the input, the configuration, the
   * target's preflight or the worker's credentials (missing, or refused by Cloudflare) are at fault (the
   * deployment stopped before changing anything), else 1.
   */
  public static int ofFailureType(String failureType) {
    return FailureTypes.CONFIG_INVALID.equals(failureType)
            || FailureTypes.SOURCE_UNAVAILABLE.equals(failureType)
            || FailureTypes.MIGRATION_UNSAFE.equals(failureType)
            || FailureTypes.POLICY_BLOCKED.equals(failureType)
            || FailureTypes.DATA_CONFLICT.equals(failureType)
            || FailureTypes.CREDENTIALS_MISSING.equals(failureType)
            || FailureTypes.PREFLIGHT_FAILED.equals(failureType)
            || FailureTypes.CLOUDFLARE_REFUSED.equals(failureType)
        ? INVALID_INPUT
        : FAILED;
  }

  private ExitCode() {}
}
