package dev.flaredeploy.activities.local;

import dev.flaredeploy.activities.DeploymentTarget;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.source.SourceSnapshots;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.MigrationFile;
import dev.flaredeploy.workflows.model.RestorePoint;
import dev.flaredeploy.workflows.model.SourceSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The local target: D1 through {@code wrangler d1 --local} on per-(service, environment) state, restore
 * points as SQL exports, and releases served by a supervised {@code wrangler dev} on the configured port.
 */
public class LocalTarget implements DeploymentTarget {
  private final LocalWorkspace workspace;
  private final SourceSnapshots sources;
  private final LocalDatabases databases;
  private final LocalReleases releases;

  public LocalTarget(
      LocalWorkspace workspace, SourceSnapshots sources, LocalDatabases databases, LocalReleases releases) {
    this.workspace = workspace;
    this.sources = sources;
    this.databases = databases;
    this.releases = releases;
  }

  @Override
  public List<DatabaseStatus> databases(DeploymentPlan plan, Tick tick) {
    List<DatabaseStatus> statuses = new ArrayList<>();
    for (DatabasePlan db : plan.databases()) {
      List<String> applied = databases.appliedMigrations(context(plan, db), tick);
      List<String> pending =
          db.migrations().stream().map(MigrationFile::name).filter(f -> !applied.contains(f)).toList();
      statuses.add(new DatabaseStatus(db.binding(), applied, pending));
    }
    return statuses;
  }

  @Override
  public Optional<String> databaseExport(DeploymentPlan plan, DatabasePlan database, Tick tick) {
    Path dir = workspace.checkpointsDir(plan.service(), plan.environment()).resolve("validation");
    try {
      Files.createDirectories(dir);
      Path export = Files.createTempFile(dir, database.binding() + "-", ".sql");
      try {
        databases.export(context(plan, database), export, tick);
        return Optional.of(Files.readString(export));
      } finally {
        Files.deleteIfExists(export);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Optional<List<Map<String, String>>> queryTable(
      DeploymentPlan plan, DatabasePlan database, String table, String sql, Tick tick) {
    return databases.query(context(plan, database), table, sql, tick);
  }

  @Override
  public void executeBatch(DeploymentPlan plan, DatabasePlan database, String sql, Tick tick) {
    databases.executeBatch(context(plan, database), sql, tick);
  }

  @Override
  public Optional<String> liveRelease(DeploymentPlan plan) {
    return releases.live(plan.service(), plan.environment()).map(RunningRelease::version);
  }

  /** From the pinned source's {@code .dev.vars} files, as {@code wrangler dev} reads them ({@link DevVars}). */
  @Override
  public List<String> secretNames(DeploymentPlan plan, Tick tick) {
    Path config = sources.verified(plan.source()).resolve(plan.configFile());
    return DevVars.names(config.toAbsolutePath().normalize().getParent(), plan.environment());
  }

  @Override
  public List<RestorePoint> checkpoint(DeploymentPlan plan, String runId, Tick tick) {
    Path dir = workspace.checkpointsDir(plan.service(), plan.environment()).resolve(runId);
    List<RestorePoint> points = new ArrayList<>();
    for (DatabasePlan db : plan.databases()) {
      Path dump = dir.resolve(db.binding() + ".sql");
      // a retry keeps the export its first attempt took: it was taken before anything changed
      if (!Files.isRegularFile(dump)) {
        createDirectories(dir);
        databases.export(context(plan, db), dump, tick);
      }
      points.add(new RestorePoint(db.binding(), dump.toString()));
    }
    return points;
  }

  @Override
  public List<String> applyMigrations(DeploymentPlan plan, DatabasePlan database, Tick tick) {
    return databases.applyMigrations(context(plan, database), tick).ledger();
  }

  @Override
  public String release(DeploymentPlan plan, Tick tick) {
    Path workdir = workdir(plan, plan.source());
    return releases
        .release(plan.service(), plan.environment(), plan.source().id(), workdir, plan.local().port(), tick)
        .url();
  }

  @Override
  public String rollback(DeploymentPlan plan, String version, Tick tick) {
    if (version == null) {
      releases.stop(plan.service(), plan.environment());
      return "stopped the new release; nothing was live before this deployment";
    }
    Optional<String> live = liveRelease(plan);
    if (live.isPresent() && live.get().equals(version)) {
      return "release " + version + " is live";
    }
    Path workdir = workspace.releasesDir(plan.service(), plan.environment()).resolve(version);
    if (!Files.isDirectory(workdir)) {
      Path snapshot = workspace.snapshots().resolve(version);
      workdir = workspace.workdir(plan.service(), plan.environment(), version, snapshot);
    }
    RunningRelease running =
        releases.release(plan.service(), plan.environment(), version, workdir, plan.local().port(), tick);
    return "release " + version + " is live again at " + running.url();
  }

  @Override
  public String restore(DeploymentPlan plan, RestorePoint restorePoint, Tick tick) {
    DatabasePlan db =
        plan.databases().stream()
            .filter(d -> d.binding().equals(restorePoint.binding()))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no database " + restorePoint.binding()));
    Path dump = Path.of(restorePoint.location());
    if (!Files.isRegularFile(dump)) {
      throw new IllegalStateException("restore point " + dump + " is missing");
    }
    databases.restore(context(plan, db), dump, tick);
    return "restored " + db.binding() + " from " + dump;
  }

  private LocalDatabaseContext context(DeploymentPlan plan, DatabasePlan db) {
    return new LocalDatabaseContext(
        workdir(plan, plan.source()),
        plan.configFile(),
        plan.environment(),
        workspace.stateDir(plan.service(), plan.environment()),
        db);
  }

  /** The working copy of the pinned source, checked against its hash. */
  private Path workdir(DeploymentPlan plan, SourceSnapshot source) {
    return workspace.workdir(plan.service(), plan.environment(), source.id(), sources.verified(source));
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
