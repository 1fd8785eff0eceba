package dev.flaredeploy.activities.process;

import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs work that cannot tick by itself (SQL in a shadow SQLite database, which may hold a data migration
 * that computes for minutes) on a helper thread, while the calling thread ticks about once a second, as
 * {@link ProcessRunner} does while a process runs. Without it, a long migration in the shadow would look
 * like a dead worker (the step's heartbeat timeout is seconds).
 */
public final class Ticking {
  private Ticking() {}

  /**
   * The result of {@code work}, or its exception. When {@code tick} throws (the activity was cancelled or
   * timed out), that exception propagates at once; the helper thread is a daemon and finishes on its own.
   */
  public static <T> T call(Tick tick, String what, Supplier<T> work) {
    if (tick == Tick.NONE) {
      return work.get();
    }
    FutureTask<T> task = new FutureTask<>(work::get);
    Thread thread = new Thread(task, "flaredeploy-" + what);
    thread.setDaemon(true);
    thread.start();
    try {
      while (true) {
        try {
          return task.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException stillRunning) {
          tick.tick();
        }
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + what, e);
    }
  }
}
