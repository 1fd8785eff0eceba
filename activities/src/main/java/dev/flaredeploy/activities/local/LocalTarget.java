package dev.flaredeploy.activities.local;

import dev.flaredeploy.activities.DatabaseState;
import dev.flaredeploy.activities.DeploymentTarget;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.source.SourceSnapshots;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.RestorePoint;
import dev.flaredeploy.workflows.model.SourceSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The local target: D1 read and written directly in the SQLite files of wrangler's local mode ({@link
 * LocalDatabases}: no process per read or write), one file per local database id shared by every service and
 * environment that binds it ({@link SharedD1}), restore points as copies of those files, and releases served
 * by a supervised {@code wrangler dev} on the configured port, whose D1 state is the shared one. Reads
 * ({@code plan}, validate-schema) create nothing: no state, no database, no working copy. The first write of
 * an environment from before databases were shared moves its databases to the shared place (stopping and
 * restarting its release around the move).
 */
public class LocalTarget implements DeploymentTarget {
  private final LocalWorkspace workspace;
  private final SourceSnapshots sources;
  private final LocalDatabases databases;
  private final LocalReleases releases;
  private final SharedD1 shared;

  public LocalTarget(
      LocalWorkspace workspace, SourceSnapshots sources, LocalDatabases databases, LocalReleases releases) {
    this.workspace = workspace;
    this.sources = sources;
    this.databases = databases;
    this.releases = releases;
    this.shared = new SharedD1(workspace);
  }

  /**
   * Ledger, checksums and schema in one read transaction of the file; ABSENT when never created. Verifies
   * the pinned source first (rebuilding it from git when this machine lacks it), as every step that reads
   * the migration files next needs it.
   */
  @Override
  public DatabaseState inspect(DeploymentPlan plan, DatabasePlan database, Tick tick) {
    sources.verified(plan.source());
    return databases.inspect(read(plan, database), tick);
  }

  /** On a read-only, {@code query_only} connection. */
  @Override
  public List<Map<String, String>> probe(DeploymentPlan plan, DatabasePlan database, String sql, Tick tick) {
    return databases.probe(read(plan, database), sql, tick);
  }

  @Override
  public Optional<List<Map<String, String>>> queryTable(
      DeploymentPlan plan, DatabasePlan database, String table, String sql, Tick tick) {
    return databases.query(read(plan, database), table, sql, tick);
  }

  @Override
  public void executeBatch(DeploymentPlan plan, DatabasePlan database, String sql, Tick tick) {
    databases.executeBatch(write(plan, database, false, tick), sql, tick);
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

  /**
   * A copy of each database file ({@link LocalDatabases#checkpoint}) under {@code checkpoints/<runId>/}; a
   * retry keeps the copies its first attempt made, also the SQL exports of an attempt by an earlier version.
   */
  @Override
  public List<RestorePoint> checkpoint(DeploymentPlan plan, String runId, Tick tick) {
    Path dir = workspace.checkpointsDir(plan.service(), plan.environment()).resolve(runId);
    List<RestorePoint> points = new ArrayList<>();
    for (DatabasePlan db : plan.databases()) {
      Path export = dir.resolve(db.binding() + ".sql");
      Path copy = Files.isRegularFile(export) ? export
          : databases.checkpoint(write(plan, db, false, tick), dir.resolve(db.binding() + ".sqlite"), tick);
      points.add(new RestorePoint(db.binding(), copy.toString()));
    }
    return points;
  }

  /** Records each migration's checksum in the migration's own transaction. */
  @Override
  public List<String> applyMigrations(DeploymentPlan plan, DatabasePlan database, Tick tick) {
    return databases.applyMigrations(write(plan, database, true, tick), tick).ledger();
  }

  @Override
  public String release(DeploymentPlan plan, Tick tick) {
    share(plan, tick);
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
    share(plan, tick);
    Path workdir = workspace.releasesDir(plan.service(), plan.environment()).resolve(version);
    if (!Files.isDirectory(workdir)) {
      Path snapshot = workspace.snapshots().resolve(version);
      workdir = workspace.workdir(plan.service(), plan.environment(), version, snapshot);
    }
    RunningRelease running =
        releases.release(plan.service(), plan.environment(), version, workdir, plan.local().port(), tick);
    return "release " + version + " is live again at " + running.url();
  }

  /** Its working copy under {@code releases/}, or its snapshot to make one from. */
  @Override
  public boolean releaseKept(DeploymentPlan plan, String version) {
    return Files.isDirectory(workspace.releasesDir(plan.service(), plan.environment()).resolve(version))
        || Files.isDirectory(workspace.snapshots().resolve(version));
  }

  @Override
  public boolean restorePointKept(RestorePoint restorePoint) {
    return restorePoint.location() != null && Files.isRegularFile(Path.of(restorePoint.location()));
  }

  /**
   * Copies the restore point back ({@link LocalDatabases#restore}) while the release keeps serving: the
   * copy is one SQLite transaction, so the release reads the database before or after it, never between.
   */
  @Override
  public String restore(DeploymentPlan plan, RestorePoint restorePoint, Tick tick) {
    DatabasePlan db =
        plan.databases().stream()
            .filter(d -> d.binding().equals(restorePoint.binding()))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no database " + restorePoint.binding()));
    return databases.restore(write(plan, db, false, tick), Path.of(restorePoint.location()), tick);
  }

  /**
   * The database as a read finds it: the shared file, or an environment's own file not moved there yet
   * ({@link SharedD1#forRead}). Creates nothing. Its file is named after the local id the plan carries; plans
   * recorded before it did are read from the pinned config.
   */
  private LocalDatabaseContext read(DeploymentPlan plan, DatabasePlan db) {
    String localId = localId(plan, db);
    shared.requireUsable(plan.service(), plan.environment(), db, localId);
    return new LocalDatabaseContext(workspace.stateDir(plan.service(), plan.environment()), db, localId, null,
        shared.forRead(plan.service(), plan.environment(), localId));
  }

  /**
   * The database as a write uses it: in the shared place, where this environment's databases are moved
   * first ({@link #share}), recorded as used by this binding. With {@code forApply}, the migrations directory
   * of the pinned source (verified against its hash) too.
   */
  private LocalDatabaseContext write(DeploymentPlan plan, DatabasePlan db, boolean forApply, Tick tick) {
    String localId = localId(plan, db);
    shared.requireUsable(plan.service(), plan.environment(), db, localId);
    share(plan, tick);
    shared.register(plan.service(), plan.environment(), db, localId);
    Path migrations = forApply ? migrationsDir(plan, db) : null;
    return new LocalDatabaseContext(workspace.stateDir(plan.service(), plan.environment()), db, localId,
        migrations, shared.file(localId));
  }

  /**
   * Makes the environment's D1 state the shared one: a state of its own (from before databases were
   * shared) moves there, with its release stopped meanwhile and started again after; a state not created
   * yet is linked at once.
   */
  private void share(DeploymentPlan plan, Tick tick) {
    String service = plan.service();
    String environment = plan.environment();
    if (shared.linked(service, environment)) {
      return;
    }
    if (shared.hasOwnState(service, environment)) {
      releases.whileStopped(service, environment, () -> shared.adopt(service, environment), tick);
    } else {
      shared.adopt(service, environment);
    }
  }

  private Path migrationsDir(DeploymentPlan plan, DatabasePlan db) {
    Path config = sources.verified(plan.source()).resolve(plan.configFile()).toAbsolutePath().normalize();
    return config.getParent().resolve(db.migrationsDir() == null ? "migrations" : db.migrationsDir()).normalize();
  }

  private String localId(DeploymentPlan plan, DatabasePlan db) {
    if (db.localDatabaseId() != null) {
      return db.localDatabaseId();
    }
    try {
      Path project = sources.verified(plan.source()).resolve(plan.configFile()).toAbsolutePath().normalize()
          .getParent();
      return new ProjectConfigLoader().load(project, plan.environment()).databases().stream()
          .filter(d -> d.binding().equals(db.binding()) && d.localDatabaseId() != null)
          .map(DatabasePlan::localDatabaseId).findFirst()
          .orElse(LocalDatabaseContext.defaultLocalId(db));
    } catch (RuntimeException e) {
      return LocalDatabaseContext.defaultLocalId(db);
    }
  }

  /** The working copy of the pinned source, checked against its hash: what {@code wrangler dev} serves. */
  private Path workdir(DeploymentPlan plan, SourceSnapshot source) {
    return workspace.workdir(plan.service(), plan.environment(), source.id(), sources.verified(source));
  }
}
