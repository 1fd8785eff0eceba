package dev.flaredeploy.activities.releases;

import dev.flaredeploy.activities.DeploymentTarget;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.ReleaseActivities;
import dev.flaredeploy.workflows.model.ReleaseRecord;
import dev.flaredeploy.workflows.model.RollbackPlan;
import dev.flaredeploy.workflows.model.RollbackRequest;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.util.Map;

/** The release journal and rollback planning as activities (see {@link ReleaseActivities}). */
public class ReleaseActivitiesImpl implements ReleaseActivities {
  private final ReleaseJournal journal;
  private final Map<String, DeploymentTarget> targets;

  public ReleaseActivitiesImpl(ReleaseJournal journal, Map<String, DeploymentTarget> targets) {
    this.journal = journal;
    this.targets = Map.copyOf(targets);
  }

  /** The version id comes from the target: what is live now is what this run put live. */
  @Override
  public ReleaseRecord recordRelease(ReleaseRecord record) {
    DeploymentTarget target = targets.get(record.plan().target());
    String version = record.version();
    if (version == null && target != null) {
      version = target.liveRelease(record.plan()).orElse(record.release());
    }
    return journal.append(record.withVersion(version == null ? record.release() : version));
  }

  @Override
  public RollbackPlan planRollback(RollbackRequest request) {
    int attempt = Activity.getExecutionContext().getInfo().getAttempt();
    var context = Activity.getExecutionContext();
    Tick tick = () -> context.heartbeat(null);
    try {
      return new RollbackPlanner(journal, targets).plan(request, tick, attempt);
    } catch (RollbackRefusedException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.ROLLBACK_REFUSED, attempt);
    }
  }
}
