package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.model.Notification;
import dev.flaredeploy.workflows.model.NotifyOutcome;
import dev.flaredeploy.workflows.model.ReleaseRecord;
import dev.flaredeploy.workflows.model.RollbackPlan;
import dev.flaredeploy.workflows.model.RollbackRequest;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The notify and release-journal activities for workflow-logic tests: what was sent and recorded. */
class FakeProduction implements NotifyActivities, ReleaseActivities {
  final List<Notification> sent = Collections.synchronizedList(new ArrayList<>());
  final List<ReleaseRecord> journal = Collections.synchronizedList(new ArrayList<>());
  /** notifications are "not delivered" with this warning; null: delivered */
  volatile String notifyWarning;
  /** plan-rollback's answer; null: refused */
  volatile RollbackPlan rollbackPlan;

  @Override
  public NotifyOutcome notify(Notification notification) {
    sent.add(notification);
    return notifyWarning == null ? new NotifyOutcome(true, null) : new NotifyOutcome(false, notifyWarning);
  }

  @Override
  public ReleaseRecord recordRelease(ReleaseRecord record) {
    ReleaseRecord kept = record.withVersion(record.version() == null ? record.release() : record.version());
    journal.add(kept);
    return kept;
  }

  @Override
  public RollbackPlan planRollback(RollbackRequest request) {
    if (rollbackPlan == null) {
      throw ApplicationFailure.newNonRetryableFailure("no release to roll back to", FailureTypes.ROLLBACK_REFUSED, 1);
    }
    return rollbackPlan;
  }

  List<String> events() {
    return sent.stream().map(Notification::event).toList();
  }
}
