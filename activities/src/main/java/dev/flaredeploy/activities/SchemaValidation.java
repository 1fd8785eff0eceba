package dev.flaredeploy.activities;

import dev.flaredeploy.activities.policy.PolicyCheck;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.safety.DriftReport;
import dev.flaredeploy.activities.safety.Finding;
import dev.flaredeploy.activities.safety.MigrationSafety;
import dev.flaredeploy.activities.safety.MigrationSource;
import dev.flaredeploy.activities.safety.SequenceCheck;
import dev.flaredeploy.activities.safety.ShadowMigrationException;
import dev.flaredeploy.activities.safety.WranglerCompatibility;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.MigrationCheck;
import dev.flaredeploy.workflows.model.MigrationFile;
import dev.flaredeploy.workflows.model.PolicyResult;
import dev.flaredeploy.workflows.model.SchemaReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The validate-schema step, without Temporal, shared by the workflow and {@code flaredeploy plan} so
 * they never disagree. Read-only. Per database: applied and pending migrations; and, before anything
 * would be written (something pending):
 *
 * <ul>
 *   <li>each pending migration applied to a shadow built from an export of the database as it is, and
 *       classified by its effect (failing, destructive and renaming ones block);
 *   <li>drift: the live schema against the one the applied migrations produce from empty (blocks when
 *       the plan's {@code onDrift} is "fail");
 *   <li>warnings: the file sequence as wrangler orders it, and statements wrangler may split wrongly.
 * </ul>
 *
 * <p>And for every deployment, even one with nothing to do: the pre-deploy policies of {@code [policy]}
 * (freeze windows at the clock's time, branches, clean tree, required secrets by name); a failed rule that
 * was not overridden blocks.
 */
public final class SchemaValidation {
  private SchemaValidation() {}

  public static SchemaReport validate(DeploymentTarget target, DeploymentPlan plan, Tick tick, int attempt) {
    return validate(target, plan, tick, attempt, Clock.systemUTC());
  }

  /** As {@link #validate(DeploymentTarget, DeploymentPlan, Tick, int)}; freeze windows are judged by {@code clock}. */
  public static SchemaReport validate(
      DeploymentTarget target, DeploymentPlan plan, Tick tick, int attempt, Clock clock) {
    List<PolicyResult> policies = PolicyCheck.evaluate(plan, clock.instant(), () -> target.secretNames(plan, tick));
    List<DatabaseStatus> databases = target.databases(plan, tick);
    List<MigrationCheck> checks = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    List<String> drift = new ArrayList<>();
    for (DatabaseStatus status : databases) {
      DatabasePlan database = plan.databases().stream()
          .filter(d -> d.binding().equals(status.binding())).findFirst().orElseThrow();
      Path migrations = Path.of(plan.source().path()).resolve(database.migrationsDir());
      for (Finding f : SequenceCheck.check(database.migrations().stream().map(MigrationFile::name).toList())) {
        warnings.add(database.binding() + ": " + f.describe());
      }
      if (status.pending().isEmpty()) {
        continue;
      }
      for (String name : status.pending()) {
        for (Finding f : WranglerCompatibility.check(new MigrationSource(name, read(migrations.resolve(name))))) {
          warnings.add(database.binding() + ": " + f.describe());
        }
      }
      Optional<String> current = target.databaseExport(plan, database, tick);
      if (current.isEmpty()) {
        warnings.add(database.binding() + ": this target cannot export the database, so pending migrations "
            + "were not checked in a shadow and drift was not looked for");
        continue;
      }
      checks.addAll(MigrationSafety.check(database.binding(), current.get(), migrations, status.pending(),
          plan.allowDestructive()));
      drift.addAll(drift(database, status, current.get(), migrations, warnings));
    }
    // the source id, not the target's release version: the workflow's no-op check compares it with the
    // plan's source id; the checkpoint records the release version a rollback needs
    return new SchemaReport(databases, target.liveSource(plan, tick).orElse(null), attempt, checks, warnings, drift,
        policies);
  }

  /** Why the deployment must stop before changing anything, if it must. */
  public static Optional<String> blocked(SchemaReport report, DeploymentPlan plan) {
    List<MigrationCheck> blocked = report.checks() == null ? List.of()
        : report.checks().stream().filter(MigrationCheck::blocked).toList();
    boolean driftBlocks = "fail".equals(plan.onDrift()) && report.drift() != null && !report.drift().isEmpty();
    List<PolicyResult> failedPolicies = failedPolicies(report);
    if (blocked.isEmpty() && !driftBlocks && failedPolicies.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder message = new StringBuilder("the deployment is blocked; nothing was changed:");
    for (PolicyResult policy : failedPolicies) {
      message.append("\n  policy ").append(policy.rule()).append(": ").append(policy.message())
          .append("\n    to deploy anyway: --override ").append(policy.rule()).append(" --reason \"<why>\"");
    }
    for (MigrationCheck check : blocked) {
      message.append("\n  ").append(check.binding()).append(" ").append(check.migration()).append(": ")
          .append(check.classification()).append(": ").append(String.join("; ", check.findings()));
      if (check.advice() != null && !check.advice().isBlank()) {
        message.append("\n    safer: ").append(check.advice());
      }
    }
    if (blocked.stream().anyMatch(c -> !c.classification().equals(MigrationSafety.FAILS))) {
      message.append("\n  to deploy destructive or renaming changes anyway: --allow-destructive");
    }
    if (driftBlocks) {
      message.append("\n  the live schema differs from what the applied migrations produce (drift):");
      report.drift().forEach(d -> message.append("\n    ").append(d));
      message.append("\n  bring the database back in line with a migration, or set [policy] on_drift = \"warn\" "
          + "in flaredeploy.toml for this environment");
    }
    return Optional.of(message.toString());
  }

  /** The policy rules that failed and were not overridden: they block the deployment. */
  public static List<PolicyResult> failedPolicies(SchemaReport report) {
    return report.policies() == null ? List.of() : report.policies().stream().filter(PolicyResult::failed).toList();
  }

  private static List<String> drift(
      DatabasePlan database, DatabaseStatus status, String currentExport, Path migrations, List<String> warnings) {
    List<MigrationSource> applied = new ArrayList<>();
    for (String name : status.applied()) {
      Path file = migrations.resolve(name);
      if (!Files.isRegularFile(file)) {
        warnings.add(database.binding() + ": " + name + " was applied but its file is gone; drift is checked "
            + "without it");
        continue;
      }
      applied.add(new MigrationSource(name, read(file)));
    }
    try {
      return DriftReport.of(currentExport, applied, database.migrationsTable()).differences().stream()
          .map(d -> database.binding() + ": " + d.message())
          .toList();
    } catch (ShadowMigrationException e) {
      warnings.add(database.binding() + ": drift not checked: replaying the applied migrations failed: "
          + e.getMessage());
      return List.of();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read migration " + file, e);
    }
  }
}
