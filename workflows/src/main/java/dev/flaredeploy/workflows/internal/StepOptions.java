package dev.flaredeploy.workflows.internal;

import dev.flaredeploy.workflows.FailureTypes;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** How the workflows run their activities: heartbeats, retries and cancellation, defined once. */
public final class StepOptions {
  /**
   * Heartbeat timeout of every long step: seconds, so a dead worker's step moves to another worker fast.
   * Activities heartbeat about once a second while they work.
   */
  public static final Duration HEARTBEAT = Duration.ofSeconds(10);

  private StepOptions() {}

  /** Retried from 1 s, doubling up to 30 s, {@code maxAttempts} in all; the non-retryable types never. */
  public static RetryOptions retries(int maxAttempts) {
    return RetryOptions.newBuilder()
        .setInitialInterval(Duration.ofSeconds(1))
        .setBackoffCoefficient(2)
        .setMaximumInterval(Duration.ofSeconds(30))
        .setMaximumAttempts(maxAttempts)
        .setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(String[]::new))
        .build();
  }

  /**
   * A step that heartbeats, is retried ({@link #retries}), and when cancelled is waited for until it stopped:
   * nothing is undone (or a lock given back) under a step that still runs.
   */
  public static ActivityOptions of(Duration startToClose, int maxAttempts) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(startToClose)
        .setHeartbeatTimeout(HEARTBEAT)
        .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
        .setRetryOptions(retries(maxAttempts))
        .build();
  }
}
