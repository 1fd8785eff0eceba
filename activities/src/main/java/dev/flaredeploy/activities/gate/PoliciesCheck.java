package dev.flaredeploy.activities.gate;

import dev.flaredeploy.activities.policy.PolicyCheck;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.PolicyResult;
import java.util.List;

/**
 * The environment's {@code [policy]} rules (freeze windows at the run's time, branches, clean tree, required
 * secrets by name), on every deployment, also one with nothing to do. A failed rule that was not overridden
 * blocks; an overridden one is a warning with its reason.
 */
final class PoliciesCheck implements Check {
  @Override
  public String name() {
    return "policies";
  }

  @Override
  public CheckResult run(GateContext context) {
    Findings findings = new Findings(name(), FailureTypes.POLICY_BLOCKED);
    List<PolicyResult> results = PolicyCheck.evaluate(context.plan(), context.now(),
        () -> context.target().secretNames(context.plan(), context.tick()));
    if (results.isEmpty()) {
      return findings.skipped("no [policy] rules for this environment");
    }
    for (PolicyResult result : results) {
      String message = "policy " + result.rule() + ": " + result.outcome() + " - " + result.message();
      switch (result.outcome()) {
        case PolicyResult.FAILED -> findings.error(null, result.rule(), result.outcome(), message, List.of());
        case PolicyResult.OVERRIDDEN -> findings.warning(null, result.rule(), result.outcome(),
            message + " (overridden: " + result.overrideReason() + ")");
        default -> findings.info(null, result.rule(), result.outcome(), message);
      }
    }
    List<String> failed = results.stream().filter(PolicyResult::failed).map(PolicyResult::rule).toList();
    return findings.result(failed.isEmpty() ? null : "to deploy anyway: "
        + String.join(" ", failed.stream().map(rule -> "--override " + rule).toList()) + " --reason \"<why>\"");
  }
}
