package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.model.DeploymentState;
import dev.flaredeploy.workflows.model.Notification;
import dev.flaredeploy.workflows.model.NotifyOutcome;
import dev.flaredeploy.workflows.model.NotifyTarget;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends a run's events to its {@code [[notify]]} webhooks: workflow code, reusable by any workflow (a
 * deployment, a rollback, a fleet). Each (webhook, event) is one notify activity started without waiting;
 * {@link #drain} waits for them all and returns what was not delivered, as warnings. A notification never
 * fails a run: the activity does not fail, and when it cannot even run (its own timeouts passed), that is a
 * warning too.
 */
public final class Notifier {
  /**
   * One attempt may take 30 s (the activity tries three times itself, 5 s per request); Temporal retries only
   * when the worker died, within 2 minutes in all: a notification can delay the end of a run by that much at
   * most, never its outcome, which is published before.
   */
  private static final ActivityOptions OPTIONS = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofSeconds(30))
      .setScheduleToCloseTimeout(Duration.ofMinutes(2))
      .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(3).setInitialInterval(Duration.ofSeconds(1)).build())
      .build();

  private final List<NotifyTarget> targets;
  private final List<Promise<NotifyOutcome>> outstanding = new ArrayList<>();
  private final List<String> described = new ArrayList<>();

  public Notifier(List<NotifyTarget> targets) {
    this.targets = targets == null ? List.of() : List.copyOf(targets);
  }

  /** The event a run that ended in {@code state} sends (REJECTED and APPROVAL_EXPIRED count as failed). */
  public static String eventOf(DeploymentState state) {
    return switch (state) {
      case SUCCEEDED -> NotifyTarget.SUCCEEDED;
      case ROLLED_BACK -> NotifyTarget.ROLLED_BACK;
      case NEEDS_ATTENTION -> NotifyTarget.NEEDS_A_PERSON;
      case CANCELLED -> NotifyTarget.CANCELLED;
      case WAITING_FOR_APPROVAL -> NotifyTarget.WAITING_FOR_APPROVAL;
      default -> NotifyTarget.FAILED;
    };
  }

  /**
   * Starts sending {@code event} to every webhook that wants it, without waiting.
   *
   * @param keySuffix makes the key of a repeated event unique (the digest of a second approval wait); may be null
   */
  public void send(String event, String service, String environment, String target, String state, String summary,
      String digest, String hint, String keySuffix) {
    String workflowId = Workflow.getInfo().getWorkflowId();
    String runId = Workflow.getInfo().getRunId();
    for (NotifyTarget to : targets) {
      if (!to.wants(event)) {
        continue;
      }
      Notification notification = new Notification(to, workflowId + "/" + runId + "/" + event
          + (keySuffix == null ? "" : "/" + keySuffix), event, workflowId, runId, service, environment, target,
          state, summary, digest, hint);
      NotifyActivities activities = Workflow.newActivityStub(NotifyActivities.class,
          ActivityOptions.newBuilder(OPTIONS).setSummary(event + " to $" + to.urlEnv()).build());
      outstanding.add(Async.function(activities::notify, notification));
      described.add(event + " to $" + to.urlEnv());
    }
  }

  /** Waits for every notification started so far; returns a warning per one not delivered. */
  public List<String> drain() {
    List<String> warnings = new ArrayList<>();
    for (int i = 0; i < outstanding.size(); i++) {
      try {
        NotifyOutcome outcome = outstanding.get(i).get();
        if (!outcome.delivered()) {
          warnings.add(outcome.warning());
        }
      } catch (TemporalFailure e) { // timed out, or started in a scope that was cancelled
        warnings.add("notification " + described.get(i) + " was not sent: the notify activity did not complete ("
            + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage()) + ")");
      }
    }
    outstanding.clear();
    described.clear();
    return warnings;
  }
}
