package dev.flaredeploy.activities;

import dev.flaredeploy.activities.policy.PolicyCheck;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.process.Ticking;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.activities.safety.DriftReport;
import dev.flaredeploy.activities.safety.Finding;
import dev.flaredeploy.activities.safety.MigrationSafety;
import dev.flaredeploy.activities.safety.MigrationSource;
import dev.flaredeploy.activities.safety.SequenceCheck;
import dev.flaredeploy.activities.safety.ShadowMigrationException;
import dev.flaredeploy.activities.safety.WranglerCompatibility;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.ChecksumProblem;
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
import java.util.Set;

/**
 * The validate-schema step, without Temporal, shared by the workflow and {@code flaredeploy plan} so
 * they never disagree. Read-only. First the target's preflight ({@link DeploymentTarget#preflight}): when it
 * finds problems nothing else is read and the report carries them (they block). Then per database: applied
 * and pending migrations; and, before anything would be written (something pending):
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
 * <p>On every deployment, also with nothing pending: the checksums recorded when each applied migration
 * was applied against the files now ({@link ChecksumLedger}); an edited or vanished file blocks.
 */
public final class SchemaValidation {
  /**
   * What a pending migration may do when a gradual rollout follows it: the previous version keeps serving
   * part of the traffic on the new schema until the last step, so only changes it can live with.
   */
  public static final Set<String> ROLLOUT_SAFE = Set.of("ADDITIVE", "NEUTRAL", "NO_SCHEMA_CHANGE");

  private SchemaValidation() {}

  public static SchemaReport validate(DeploymentTarget target, DeploymentPlan plan, Tick tick, int attempt) {
    return validate(target, plan, tick, attempt, Clock.systemUTC());
  }

  /** As {@link #validate(DeploymentTarget, DeploymentPlan, Tick, int)}; freeze windows are judged by {@code clock}. */
  public static SchemaReport validate(
      DeploymentTarget target, DeploymentPlan plan, Tick tick, int attempt, Clock clock) {
    PreflightReport preflight = target.preflight(plan, tick);
    List<String> warnings = new ArrayList<>(preflight.warnings());
    if (!preflight.ready()) {
      // nothing else can be read from a target that is not ready; its problems block on their own
      return new SchemaReport(List.of(), null, attempt, List.of(), warnings, List.of(), preflight.problems(),
          List.of(), List.of());
    }
    List<PolicyResult> policies = PolicyCheck.evaluate(plan, clock.instant(), () -> target.secretNames(plan, tick));
    List<DatabaseStatus> databases = target.databases(plan, tick);
    List<MigrationCheck> checks = new ArrayList<>();
    List<String> drift = new ArrayList<>();
    List<ChecksumProblem> checksumProblems = new ArrayList<>();
    for (DatabaseStatus status : databases) {
      DatabasePlan database = plan.databases().stream()
          .filter(d -> d.binding().equals(status.binding())).findFirst().orElseThrow();
      Path migrations = Path.of(plan.source().path()).resolve(database.migrationsDir());
      for (Finding f : SequenceCheck.check(database.migrations().stream().map(MigrationFile::name).toList())) {
        warnings.add(database.binding() + ": " + f.describe());
      }
      // on every deployment, also with nothing pending: an edit never reaches the database otherwise
      Checksums.Verification verification = ChecksumLedger.verify(target, plan, database, status, tick);
      checksumProblems.addAll(verification.problems());
      if (!verification.unrecorded().isEmpty()) {
        warnings.add(database.binding() + ": no checksum recorded for " + String.join(", ", verification.unrecorded())
            + " (applied before flaredeploy recorded checksums); the current files' checksums are recorded at the"
            + " next deployment that applies a migration to " + database.binding()
            + ", so restore any of them that was edited before then");
      }
      if (status.pending().isEmpty()) {
        continue;
      }
      for (String name : status.pending()) {
        for (Finding f : WranglerCompatibility.check(new MigrationSource(name, read(migrations.resolve(name))))) {
          warnings.add(database.binding() + ": " + f.describe());
        }
      }
      Optional<String> current;
      try {
        current = target.databaseExport(plan, database, tick);
      } catch (ExportFailedException e) {
        warnings.add(database.binding() + ": " + e.getMessage() + "; so pending migrations were not checked in a "
            + "shadow and drift was not looked for");
        continue;
      }
      if (current.isEmpty()) {
        warnings.add(database.binding() + ": this target cannot export the database, so pending migrations "
            + "were not checked in a shadow and drift was not looked for");
        continue;
      }
      String export = current.get();
      List<MigrationCheck> checked = Ticking.call(tick, "shadow-check", () -> MigrationSafety.check(
          database.binding(), export, migrations, status.pending(), plan.allowDestructive(),
          plan.allowances() == null ? List.of() : plan.allowances()));
      checks.addAll(checked);
      for (MigrationCheck check : checked) {
        check.findings().stream().filter(f -> f.startsWith(MigrationSafety.ALLOWED_BY)).forEach(f ->
            warnings.add(database.binding() + ": " + check.migration() + " (" + check.classification() + ") is "
                + f));
      }
      drift.addAll(Ticking.call(tick, "drift-check", () -> drift(database, status, export, migrations, warnings)));
    }
    // the source id, not the target's release version: the workflow's no-op check compares it with the
    // plan's source id; the checkpoint records the release version a rollback needs
    return new SchemaReport(databases, target.liveSource(plan, tick).orElse(null), attempt, checks, warnings, drift,
        List.of(), policies, checksumProblems);
  }

  /** Why the deployment must stop before changing anything, if it must. */
  public static Optional<String> blocked(SchemaReport report, DeploymentPlan plan) {
    List<MigrationCheck> blocked = report.checks() == null ? List.of()
        : report.checks().stream().filter(MigrationCheck::blocked).toList();
    boolean driftBlocks = "fail".equals(plan.onDrift()) && report.drift() != null && !report.drift().isEmpty();
    List<String> preflight = report.preflight() == null ? List.of() : report.preflight();
    List<String> rolloutProblems = rolloutProblems(report, plan);
    List<PolicyResult> failedPolicies = failedPolicies(report);
    List<ChecksumProblem> changed = report.checksumProblems() == null ? List.of() : report.checksumProblems();
    if (blocked.isEmpty() && !driftBlocks && preflight.isEmpty() && rolloutProblems.isEmpty()
        && failedPolicies.isEmpty() && changed.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder message = new StringBuilder("the deployment is blocked; nothing was changed:");
    preflight.forEach(problem -> message.append("\n  ").append(problem));
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
    if (!changed.isEmpty()) {
      message.append("\n  applied migrations changed since they were applied (wrangler never runs them again):");
      changed.forEach(p -> message.append("\n    ").append(p.message()));
      message.append("\n  restore each file as it was applied (from git) and put the change in a new migration, or"
          + " accept it with a reason: ").append(acceptCommand(plan, changed));
    }
    if (driftBlocks) {
      message.append("\n  the live schema differs from what the applied migrations produce (drift):");
      report.drift().forEach(d -> message.append("\n    ").append(d));
      message.append("\n  bring the database back in line with a migration, or set [policy] on_drift = \"warn\" "
          + "in flaredeploy.toml for this environment");
    }
    if (!rolloutProblems.isEmpty()) {
      message.append("\n  the gradual rollout ([rollout]) is refused: until its last step the previous version keeps")
          .append(" serving part of the traffic on the new schema, so every pending migration must be additive")
          .append(" (ADDITIVE, NEUTRAL or NO_SCHEMA_CHANGE):");
      rolloutProblems.forEach(p -> message.append("\n    ").append(p));
      message.append("\n  either deploy this release without a rollout (")
          .append(rolloutOff(plan.environment()))
          .append("), so the new version takes all traffic as soon as the migrations are applied; or split the")
          .append(" migration: deploy its additive part (expand) with the rollout first, and what removes or")
          .append(" renames (contract) in a later deployment, once no version that needs it serves");
    }
    return Optional.of(message.toString());
  }

  /**
   * The failure type of a deployment that {@link #blocked} stops: {@code PreflightFailed} when the target
   * was not ready (nothing else was checked then); else {@code PolicyBlocked} when a policy rule failed,
   * even when migrations block too (the message lists everything); else {@code MigrationUnsafe}.
   */
  public static String failureType(SchemaReport report) {
    if (report.preflight() != null && !report.preflight().isEmpty()) {
      return FailureTypes.PREFLIGHT_FAILED;
    }
    return failedPolicies(report).isEmpty() ? FailureTypes.MIGRATION_UNSAFE : FailureTypes.POLICY_BLOCKED;
  }

  /** The policy rules that failed and were not overridden: they block the deployment. */
  public static List<PolicyResult> failedPolicies(SchemaReport report) {
    return report.policies() == null ? List.of() : report.policies().stream().filter(PolicyResult::failed).toList();
  }

  /**
   * Why a gradual rollout cannot follow the pending migrations: each pending migration that is not
   * {@link #ROLLOUT_SAFE}, or was not checked in a shadow. Empty without a rollout, without a release to
   * roll out (the source is live already), or without pending migrations.
   */
  static List<String> rolloutProblems(SchemaReport report, DeploymentPlan plan) {
    if (plan.rollout() == null || plan.source().id().equals(report.liveRelease())) {
      return List.of();
    }
    List<String> problems = new ArrayList<>();
    for (DatabaseStatus database : report.databases()) {
      for (String migration : database.pending()) {
        Optional<MigrationCheck> check = report.checks() == null ? Optional.empty()
            : report.checks().stream()
                .filter(c -> c.binding().equals(database.binding()) && c.migration().equals(migration))
                .findFirst();
        if (check.isEmpty()) {
          problems.add(database.binding() + " " + migration + ": not checked in a shadow (this target could not"
              + " export the database, or an earlier migration failed there), so it cannot be shown to be additive");
        } else if (!ROLLOUT_SAFE.contains(check.get().classification())) {
          problems.add(database.binding() + " " + migration + ": " + check.get().classification());
        }
      }
    }
    return problems;
  }

  /** How to turn the rollout off for one environment, in flaredeploy.toml's words. */
  private static String rolloutOff(String environment) {
    return ("default".equals(environment) ? "[rollout]" : "[env." + environment + ".rollout]")
        + " enabled = false in flaredeploy.toml";
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
