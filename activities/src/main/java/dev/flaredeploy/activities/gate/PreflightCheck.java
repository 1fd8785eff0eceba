package dev.flaredeploy.activities.gate;

import dev.flaredeploy.activities.DeploymentTarget;
import dev.flaredeploy.activities.PreflightReport;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.CheckResult;

/**
 * What the target needs before anything can be read or changed ({@link DeploymentTarget#preflight}:
 * credentials, ids in the config, account settings). Each problem blocks with how to fix it; when one does,
 * nothing else is checked (a target that is not ready cannot be read).
 */
final class PreflightCheck implements Check {
  @Override
  public String name() {
    return "preflight";
  }

  @Override
  public CheckResult run(GateContext context) {
    PreflightReport report = context.target().preflight(context.plan(), context.tick());
    Findings findings = new Findings(name(), FailureTypes.PREFLIGHT_FAILED);
    report.problems().forEach(problem -> findings.error(null, null, "problem", problem, java.util.List.of()));
    report.warnings().forEach(warning -> findings.warning(null, null, "warning", warning));
    return findings.result("each problem says how to fix it; nothing else was checked");
  }

  @Override
  public boolean stopsTheRestWhenBlocked() {
    return true;
  }
}
