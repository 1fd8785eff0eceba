package dev.flaredeploy.activities.gate;

import dev.flaredeploy.activities.ChecksumLedger;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.ChecksumProblem;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import java.util.ArrayList;
import java.util.List;

/**
 * The checksums flaredeploy recorded when each applied migration was applied against the files now, on
 * every deployment (also with nothing pending: an edit never reaches the database otherwise). An edited or
 * vanished file blocks until it is restored or accepted ({@code flaredeploy migrations accept}); applied
 * migrations without a recorded checksum are a warning (they are adopted at the next apply).
 */
final class ChecksumsCheck implements Check {
  @Override
  public String name() {
    return "checksums";
  }

  @Override
  public CheckResult run(GateContext context) {
    Findings findings = new Findings(name(), FailureTypes.MIGRATION_UNSAFE);
    List<ChecksumProblem> problems = new ArrayList<>();
    for (DatabasePlan database : context.databases()) {
      Checksums.Verification verification = ChecksumLedger.verify(database, context.state(database));
      for (ChecksumProblem problem : verification.problems()) {
        problems.add(problem);
        findings.error(database.binding(), problem.file(), problem.kind(), problem.message(), List.of());
      }
      if (!verification.unrecorded().isEmpty()) {
        findings.warning(database.binding(), null, "unrecorded", database.binding() + ": no checksum recorded for "
            + String.join(", ", verification.unrecorded()) + " (applied before flaredeploy recorded checksums);"
            + " the current files' checksums are recorded at the next deployment that applies a migration to "
            + database.binding() + ", so restore any of them that was edited before then");
      }
    }
    return findings.result(problems.isEmpty() ? null
        : "applied migrations changed since they were applied (wrangler never runs them again): restore each file"
            + " as it was applied (from git) and put the change in a new migration, or accept it with a reason: "
            + acceptCommand(context.plan(), problems));
  }

  /** The {@code flaredeploy migrations accept} command line that accepts {@code problems}. */
  static String acceptCommand(DeploymentPlan plan, List<ChecksumProblem> problems) {
    StringBuilder command = new StringBuilder("flaredeploy migrations accept");
    if (plan.source().projectDir() != null) {
      command.append(' ').append(plan.source().projectDir());
    }
    if (!"default".equals(plan.environment())) {
      command.append(" --env ").append(plan.environment());
    }
    if (!"local".equals(plan.target())) {
      command.append(" --target ").append(plan.target());
    }
    command.append(" --reason \"…\"");
    problems.stream().map(ChecksumProblem::file).distinct().forEach(f -> command.append(' ').append(f));
    return command.toString();
  }
}
