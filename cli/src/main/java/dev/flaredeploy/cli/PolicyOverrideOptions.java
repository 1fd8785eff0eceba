package dev.flaredeploy.cli;

import dev.flaredeploy.workflows.model.PolicyOverride;
import dev.flaredeploy.workflows.model.PolicySettings;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * {@code --override RULE} (repeatable) and {@code --reason TEXT}, shared by {@code deploy} and {@code plan}.
 * One reason covers every rule overridden in the command; it is recorded with each.
 */
class PolicyOverrideOptions {
  @Option(names = "--override", paramLabel = "RULE",
      description = {"let a failing [policy] rule through: freeze, branches, clean_tree or required_secrets",
          "(repeatable; needs --reason, recorded in the run's history)"})
  List<String> rules = new ArrayList<>();

  @Option(names = "--reason", paramLabel = "TEXT",
      description = "why the overridden rules may be broken this time (required with --override)")
  String reason;

  /**
   * The overrides, checked before anything starts.
   *
   * @throws CliException (exit 2) for an unknown rule, an override without a reason, or a reason without one
   */
  List<PolicyOverride> overrides() {
    Set<String> unique = new LinkedHashSet<>();
    for (String rule : rules) {
      if (!PolicySettings.RULES.contains(rule)) {
        throw new CliException(ExitCode.INVALID_INPUT, "--override " + rule + ": no such policy rule; the rules "
            + "are " + String.join(", ", PolicySettings.RULES) + " (nothing was started)");
      }
      unique.add(rule);
    }
    boolean hasReason = reason != null && !reason.isBlank();
    if (!unique.isEmpty() && !hasReason) {
      throw new CliException(ExitCode.INVALID_INPUT, "--override " + String.join(", ", unique) + " needs "
          + "--reason TEXT saying why, which is recorded in the run's history (nothing was started)");
    }
    if (unique.isEmpty() && reason != null) {
      throw new CliException(ExitCode.INVALID_INPUT, "--reason is only for --override RULE; say which rule "
          + "to let through (" + String.join(", ", PolicySettings.RULES) + ") (nothing was started)");
    }
    return unique.stream().map(rule -> new PolicyOverride(rule, reason.strip())).toList();
  }
}
