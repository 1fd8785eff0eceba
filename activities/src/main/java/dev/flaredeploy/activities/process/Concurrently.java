package dev.flaredeploy.activities.process;

import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs reads that do not depend on each other at the same time (one per database, the live release beside
 * them) while the calling thread ticks about once a second, so an activity keeps heartbeating. The work
 * itself gets no tick: it runs on helper threads, and only the calling thread may heartbeat.
 */
public final class Concurrently {
  private static final ExecutorService HELPERS = Executors.newCachedThreadPool(work -> {
    Thread thread = new Thread(work, "flaredeploy-concurrent");
    thread.setDaemon(true);
    return thread;
  });

  private Concurrently() {}

  /**
   * As {@link #all(Tick, List)}, with at most {@code maxAtOnce} of the tasks running at the same time (a target
   * that must not be read by too many connections at once).
   */
  public static <T> List<T> all(Tick tick, List<Supplier<T>> tasks, int maxAtOnce) {
    if (maxAtOnce >= tasks.size()) {
      return all(tick, tasks);
    }
    Semaphore running = new Semaphore(Math.max(1, maxAtOnce));
    List<Supplier<T>> bounded = new ArrayList<>();
    for (Supplier<T> task : tasks) {
      bounded.add(() -> {
        running.acquireUninterruptibly();
        try {
          return task.get();
        } finally {
          running.release();
        }
      });
    }
    return all(tick, bounded);
  }

  /**
   * The results of {@code tasks}, in their order, each run on a helper thread. When a task fails,
   * its exception is thrown (the first in order among those that failed), once every task has ended; when
   * {@code tick} throws (the activity was cancelled), that propagates at once.
   */
  public static <T> List<T> all(Tick tick, List<Supplier<T>> tasks) {
    if (tasks.size() <= 1) {
      return tasks.stream().map(Supplier::get).toList();
    }
    List<CompletableFuture<T>> futures = new ArrayList<>();
    tasks.forEach(task -> futures.add(CompletableFuture.supplyAsync(task, HELPERS)));
    CompletableFuture<Void> every = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
    try {
      while (true) {
        try {
          every.get(1, TimeUnit.SECONDS);
          break;
        } catch (TimeoutException stillRunning) {
          tick.tick();
        } catch (ExecutionException oneFailed) {
          break; // the others have ended too (allOf completes when all have): report the first below
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for concurrent reads", e);
    }
    List<T> results = new ArrayList<>();
    for (CompletableFuture<T> future : futures) {
      results.add(join(future));
    }
    return results;
  }

  /**
   * Starts {@code work} on a helper thread, for the caller to do something else meanwhile (with its own
   * tick) and then {@link #join} it.
   */
  public static <T> CompletableFuture<T> start(Supplier<T> work) {
    return CompletableFuture.supplyAsync(work, HELPERS);
  }

  /** The result of {@link #start}ed work, or its exception as it was thrown. */
  public static <T> T join(CompletableFuture<T> started) {
    try {
      return started.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Two different reads at the same time: see {@link #all}. */
  public static <A, B> Both<A, B> both(Tick tick, Supplier<A> first, Supplier<B> second) {
    List<Object> results = all(tick, List.of(first::get, second::get));
    @SuppressWarnings("unchecked")
    A a = (A) results.get(0);
    @SuppressWarnings("unchecked")
    B b = (B) results.get(1);
    return new Both<>(a, b);
  }

  /** The results of {@link #both}. */
  public record Both<A, B>(A first, B second) {}
}
