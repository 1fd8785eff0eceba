package dev.flaredeploy.activities.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Runs a short-lived command to completion: no stdin, output captured, a hard timeout, and a tick
 * callback every second while it runs (activities heartbeat from it).
 *
 * <p>Counts every process flaredeploy starts ({@link #started()}, also the detached releases through {@link
 * #count}), so that tests and benchmarks can see what a deployment costs in processes. With {@code
 * FLAREDEPLOY_PROCESS_LOG} set to a file, each start also appends a line to it (time, program and its first
 * arguments, never its environment), for benchmarks that run flaredeploy as a separate process.
 */
public class ProcessRunner {
  private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]");
  private static final AtomicLong STARTED = new AtomicLong();
  private static final int LOGGED_ARGUMENTS = 4;

  /** Called about once a second while the process runs; may throw to stop waiting (the process is killed). */
  @FunctionalInterface
  public interface Tick {
    void tick();

    Tick NONE = () -> {};
  }

  public ProcessResult run(
      List<String> argv, Path workingDir, Map<String, String> env, Duration timeout, Tick tick) {
    ProcessBuilder builder = new ProcessBuilder(argv).directory(workingDir.toFile());
    builder.environment().putAll(env);
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + argv.get(0) + ": " + e.getMessage(), e);
    }
    count(argv);
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (!process.waitFor(1, TimeUnit.SECONDS)) {
        if (System.nanoTime() > deadline) {
          destroyTree(process);
          throw new ProcessTimeoutException(
              String.join(" ", argv.subList(0, Math.min(argv.size(), 4)))
                  + " did not finish within "
                  + timeout.toSeconds()
                  + " s");
        }
        tick.tick();
      }
      return new ProcessResult(
          process.exitValue(), stripAnsi(out.join()), stripAnsi(err.join()));
    } catch (InterruptedException e) {
      destroyTree(process);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + argv.get(0), e);
    } catch (RuntimeException e) {
      destroyTree(process);
      throw e;
    }
  }

  /** How many processes flaredeploy started in this JVM so far. */
  public static long started() {
    return STARTED.get();
  }

  /** Counts a process started outside {@link #run} (a detached release), and logs it as described above. */
  public static void count(List<String> argv) {
    STARTED.incrementAndGet();
    String log = System.getenv("FLAREDEPLOY_PROCESS_LOG");
    if (log == null || log.isBlank()) {
      return;
    }
    List<String> shown = new ArrayList<>();
    for (String arg : argv.subList(0, Math.min(argv.size(), LOGGED_ARGUMENTS + 2))) {
      shown.add(arg.contains("/") && !arg.startsWith("-") ? arg.substring(arg.lastIndexOf('/') + 1) : arg);
    }
    String line = System.currentTimeMillis() + "\t" + ProcessHandle.current().pid() + "\t" + String.join(" ", shown)
        + "\n";
    try {
      Files.writeString(Path.of(log), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      // counting must never fail a deployment
    }
  }

  public static String stripAnsi(String s) {
    return ANSI.matcher(s).replaceAll("");
  }

  /** Stops a process and everything it started (wrangler starts node, which starts workerd). */
  public static void destroyTree(Process process) {
    destroyTree(process.toHandle());
  }

  public static void destroyTree(ProcessHandle handle) {
    List<ProcessHandle> children = handle.descendants().toList();
    handle.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      handle.onExit().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      handle.destroyForcibly();
    }
    children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "";
          }
        });
  }

  /** The command ran past its timeout and was killed. */
  public static class ProcessTimeoutException extends RuntimeException {
    public ProcessTimeoutException(String message) {
      super(message);
    }
  }
}
