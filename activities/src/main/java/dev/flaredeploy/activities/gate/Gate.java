package dev.flaredeploy.activities.gate;

import dev.flaredeploy.activities.DeploymentTarget;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.CheckFinding;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.SchemaReport;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pre-deploy checks, run in order over one shared {@link GateContext}: the validate-schema step and
 * {@code flaredeploy plan} both run them here, so the two never disagree. Read-only: nothing is written to
 * any database, and no data is copied out of one (schema reads and bounded probes only).
 */
public final class Gate {
  /**
   * Every check, in the order they run and report; a blocked check's failure type is the deployment's when
   * it is the first that blocks (so preflight, then policies, come first). A new check is one line here.
   */
  static final List<Check> CHECKS = List.of(
      new PreflightCheck(),
      new PoliciesCheck(),
      new ChecksumsCheck(),
      new MigrationSafetyCheck(),
      new DataProbeCheck(),
      new DriftCheck(),
      new RolloutCheck(),
      new MigrationFilesCheck());

  private Gate() {}

  public static SchemaReport run(DeploymentTarget target, DeploymentPlan plan, Tick tick, int attempt) {
    return run(target, plan, tick, attempt, Clock.systemUTC());
  }

  /** As {@link #run(DeploymentTarget, DeploymentPlan, Tick, int)}; freeze windows are judged by {@code clock}. */
  public static SchemaReport run(DeploymentTarget target, DeploymentPlan plan, Tick tick, int attempt, Clock clock) {
    return run(CHECKS, new GateContext(target, plan, tick, clock), attempt);
  }

  static SchemaReport run(List<Check> checks, GateContext context, int attempt) {
    List<CheckResult> results = new ArrayList<>();
    for (Check check : checks) {
      CheckResult result = check.run(context);
      results.add(result);
      if (result.blocks() && check.stopsTheRestWhenBlocked()) {
        return SchemaReport.of(List.of(), null, attempt, results); // nothing else can be read
      }
    }
    // the source id, not the target's release version: the workflow's no-op check compares it with the
    // plan's source id; the checkpoint records the release version a rollback needs
    return SchemaReport.of(context.statuses(), context.liveSource().orElse(null), attempt, results);
  }

  /**
   * Why the deployment must stop before changing anything, if it must: every blocking check's errors (with
   * their details) and its remedy.
   */
  public static Optional<String> blocked(SchemaReport report) {
    List<CheckResult> blocking = report.results() == null ? List.of()
        : report.results().stream().filter(CheckResult::blocks).toList();
    if (blocking.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder message = new StringBuilder("the deployment is blocked; nothing was changed:");
    for (CheckResult result : blocking) {
      for (CheckFinding finding : result.findings()) {
        if (finding.blocks()) {
          message.append("\n  ").append(finding.message());
          finding.details().forEach(d -> message.append("\n      ").append(d));
        }
      }
      if (result.remedy() != null) {
        message.append("\n    ").append(result.remedy().replace("\n", "\n    "));
      }
    }
    return Optional.of(message.toString());
  }

  /** The failure type of a deployment {@link #blocked} stops: the first blocking check's. */
  public static String failureType(SchemaReport report) {
    return report.results() == null ? FailureTypes.MIGRATION_UNSAFE
        : report.results().stream().filter(CheckResult::blocks).map(CheckResult::failureType)
            .filter(type -> type != null).findFirst().orElse(FailureTypes.MIGRATION_UNSAFE);
  }
}
