package dev.flaredeploy.activities;

import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.safety.MigrationSafety;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.MigrationCheck;
import dev.flaredeploy.workflows.model.SchemaReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The validate-schema step, without Temporal, shared by the workflow and {@code flaredeploy plan} so
 * they never disagree: applied and pending migrations per database, the live release, and each pending
 * migration applied to a shadow of the database as it is now and classified by its effect. Read-only.
 */
public final class SchemaValidation {
  private SchemaValidation() {}

  public static SchemaReport validate(DeploymentTarget target, DeploymentPlan plan, Tick tick, int attempt) {
    List<DatabaseStatus> databases = target.databases(plan, tick);
    List<MigrationCheck> checks = new ArrayList<>();
    for (DatabaseStatus status : databases) {
      if (status.pending().isEmpty()) {
        continue;
      }
      DatabasePlan database = plan.databases().stream()
          .filter(d -> d.binding().equals(status.binding())).findFirst().orElseThrow();
      Optional<String> current = target.databaseExport(plan, database, tick);
      if (current.isPresent()) {
        Path migrations = Path.of(plan.source().path()).resolve(database.migrationsDir());
        checks.addAll(MigrationSafety.check(database.binding(), current.get(), migrations, status.pending(),
            plan.allowDestructive()));
      }
    }
    return new SchemaReport(databases, target.liveRelease(plan).orElse(null), attempt, checks);
  }

  /** Why the deployment must stop before changing anything, if it must. */
  public static Optional<String> blocked(SchemaReport report) {
    List<MigrationCheck> blocked = report.checks() == null ? List.of()
        : report.checks().stream().filter(MigrationCheck::blocked).toList();
    if (blocked.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder message = new StringBuilder(blocked.size() + " pending migration(s) blocked; nothing was changed:");
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
    return Optional.of(message.toString());
  }
}
