package dev.flaredeploy.activities.releases;

import static dev.flaredeploy.workflows.DeploymentIds.shortId;

import dev.flaredeploy.activities.DeploymentTarget;
import dev.flaredeploy.activities.RestoreGuard;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.workflows.DeploymentIds;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.MigrationFile;
import dev.flaredeploy.workflows.model.ReleaseRecord;
import dev.flaredeploy.workflows.model.RestorePoint;
import dev.flaredeploy.workflows.model.RollbackPlan;
import dev.flaredeploy.workflows.model.RollbackRequest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a rollback will do, from the environment's release journal and the target as it is now: the release to
 * put live (the one the live release replaced, or the one named), the deployment being undone (the one that put
 * the live release live; its restore points are what {@code --restore-database} goes back to),
 * the migrations the databases hold that the release never knew about, and with {@code --restore-database} the
 * restore points to go back to. Read-only. The rollback workflow's plan-rollback step and {@code flaredeploy
 * rollback}'s preview both use it.
 */
public final class RollbackPlanner {
  private final ReleaseJournal journal;
  private final Map<String, DeploymentTarget> targets;

  public RollbackPlanner(ReleaseJournal journal, Map<String, DeploymentTarget> targets) {
    this.journal = journal;
    this.targets = Map.copyOf(targets);
  }

  /** @throws RollbackRefusedException saying why and what to do instead */
  public RollbackPlan plan(RollbackRequest request, Tick tick, int attempt) {
    List<ReleaseRecord> records = journal.read(request.target(), request.service(), request.environment());
    List<ReleaseRecord> deployments = records.stream().filter(r -> ReleaseRecord.DEPLOYMENT.equals(r.kind())).toList();
    String where = request.service() + " (" + request.environment() + ", " + request.target() + ")";
    if (deployments.isEmpty()) {
      throw new RollbackRefusedException("no release of " + where + " is in the release journal ("
          + journal.file(request.target(), request.service(), request.environment()) + "): nothing to roll back to. "
          + "Releases are recorded by the worker that deploys them, in its flaredeploy home; run this where that "
          + "worker runs (same FLAREDEPLOY_HOME)");
    }
    DeploymentTarget target = targets.get(request.target());
    if (target == null) {
      throw new RollbackRefusedException("target \"" + request.target() + "\" is not available here");
    }
    ReleaseRecord newest = deployments.get(deployments.size() - 1);
    String live = target.liveRelease(newest.plan()).orElse(null);
    ReleaseRecord undone = liveRecord(deployments, live);
    ReleaseRecord to = request.to() != null ? named(deployments, request.to(), where) : previous(deployments, undone, live, where);
    if (live != null && live.equals(to.version())) {
      throw new RollbackRefusedException("release " + shortId(to.release()) + " of " + where + " is live already; "
          + "nothing to roll back (`flaredeploy releases` lists the others)");
    }
    if (!target.releaseKept(to.plan(), to.version())) {
      throw new RollbackRefusedException("release " + shortId(to.release()) + " of " + where + " is no longer kept "
          + "on this machine, so it cannot be put live again; deploy its source again instead"
          + (to.commit() == null || to.dirty() ? "" : ": flaredeploy deploy " + to.plan().source().projectDir()
              + " --env " + request.environment() + " --commit " + to.commit()));
    }
    List<ReleaseRecord> later = undone == null ? List.of()
        : deployments.subList(deployments.lastIndexOf(undone) + 1, deployments.size());

    List<String> unknown = new ArrayList<>();
    List<RestorePoint> restores = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (DatabasePlan database : newest.plan().databases()) {
      List<String> ledger = RestoreGuard.ledger(target, newest.plan(), database, tick);
      Set<String> known = new LinkedHashSet<>();
      to.plan().databases().stream().filter(d -> d.binding().equals(database.binding()))
          .forEach(d -> d.migrations().stream().map(MigrationFile::name).forEach(known::add));
      List<String> never = ledger.stream().filter(m -> !known.contains(m)).toList();
      if (!never.isEmpty()) {
        unknown.add(database.binding() + ": " + String.join(", ", never));
      }
      if (!request.restoreDatabase()) {
        continue;
      }
      ReleaseRecord.DatabaseChange change = undone == null ? null : undone.database(database.binding());
      if (change == null || change.applied().isEmpty()) {
        notes.add("database " + database.binding() + " was not changed by the deployment being undone: left as it is");
        continue;
      }
      Optional<String> movedOn = RestoreEligibility.movedOn(database.binding(), undone, later, ledger);
      if (movedOn.isPresent()) {
        throw new RollbackRefusedException(movedOn.get());
      }
      RestorePoint point = change.restorePoint();
      if (point == null || !target.restorePointKept(point)) {
        throw new RollbackRefusedException("the restore point of database " + database.binding() + " taken before "
            + "deployment run " + undone.runId() + (point == null ? " was not recorded" : " (" + point.location()
            + ") is no longer kept") + "; roll back without --restore-database");
      }
      restores.add(point);
    }
    if (request.restoreDatabase() && undone == null) {
      throw new RollbackRefusedException("the live release of " + where + " is not in the release journal, so the "
          + "restore point taken before it is unknown; roll back without --restore-database");
    }
    return new RollbackPlan(to, live, undone, unknown, restores, notes, attempt);
  }

  /** The release the person named: a unique prefix of a release id or of a target's version id. */
  private static ReleaseRecord named(List<ReleaseRecord> deployments, String name, String where) {
    String given = name.strip();
    List<ReleaseRecord> matches = deployments.stream()
        .filter(r -> r.release().startsWith(given) || (r.version() != null && r.version().startsWith(given)))
        .toList();
    Set<String> releases = new LinkedHashSet<>();
    matches.forEach(r -> releases.add(r.release()));
    if (releases.isEmpty()) {
      throw new RollbackRefusedException("no release " + given + " of " + where + " is in the release journal; "
          + "`flaredeploy releases` lists the ones there are");
    }
    if (releases.size() > 1) {
      throw new RollbackRefusedException(given + " names more than one release of " + where + " ("
          + String.join(", ", releases.stream().map(DeploymentIds::shortId).toList()) + "); give more of its id");
    }
    return matches.get(matches.size() - 1);
  }

  /** The deployment that put the live release live: the newest record of that version; null when none. */
  private static ReleaseRecord liveRecord(List<ReleaseRecord> deployments, String live) {
    if (live == null) {
      return null;
    }
    for (int i = deployments.size() - 1; i >= 0; i--) {
      if (live.equals(deployments.get(i).version())) {
        return deployments.get(i);
      }
    }
    return null;
  }

  /**
   * The release before the live one: the one the live release replaced, as its deployment recorded it, else the
   * newest recorded release older than it with another version.
   */
  private static ReleaseRecord previous(List<ReleaseRecord> deployments, ReleaseRecord undone, String live, String where) {
    if (live == null) {
      throw new RollbackRefusedException("nothing of " + where + " is live now, so there is no \"previous\" release; "
          + "name the release to put live with --to (`flaredeploy releases` lists them)");
    }
    if (undone == null) {
      throw new RollbackRefusedException("the live release " + shortId(live) + " of " + where + " is not in the "
          + "release journal; name the release to put live with --to (`flaredeploy releases` lists them)");
    }
    int index = deployments.lastIndexOf(undone);
    if (undone.previousVersion() != null) {
      for (int i = index - 1; i >= 0; i--) {
        if (undone.previousVersion().equals(deployments.get(i).version())) {
          return deployments.get(i);
        }
      }
    }
    for (int i = index - 1; i >= 0; i--) {
      if (!live.equals(deployments.get(i).version())) {
        return deployments.get(i);
      }
    }
    throw new RollbackRefusedException("release " + shortId(live) + " is the first release of " + where
        + " in the journal: there is none before it to roll back to");
  }
}
