package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.model.Notification;
import dev.flaredeploy.workflows.model.NotifyOutcome;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Posts deployment events to webhooks. The URL is read by the activity from the worker's environment
 * variable the notification names; it never enters Temporal.
 */
@ActivityInterface
public interface NotifyActivities {

  /**
   * Posts one event to one webhook, with a few bounded retries of its own (a 5xx, a timeout, a refused
   * connection). Never fails: what could not be delivered is a warning in the outcome (naming the variable and
   * the status, never the URL). Retried by Temporal only when the worker died while it ran (the receiver may
   * then see the event twice; {@link Notification#key} is the same each time).
   */
  @ActivityMethod(name = Steps.NOTIFY)
  NotifyOutcome notify(Notification notification);
}
