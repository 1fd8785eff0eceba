package dev.flaredeploy.activities.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The wrangler CLI as flaredeploy drives it: non-interactive, no banner, no metrics, logs kept out of the
 * user's home, always with {@code -c <absolute config>} (see shared notes on wrangler §0, §5).
 *
 * <p>Which wrangler: {@code FLAREDEPLOY_WRANGLER} (a path), else the one pinned in flaredeploy's own
 * package.json under {@code FLAREDEPLOY_ROOT} (or system property {@code flaredeploy.root}), else
 * {@code wrangler} on the PATH.
 */
public class Wrangler {
  private final List<String> command;
  private final ProcessRunner runner;
  private final Path logDir;

  public Wrangler(List<String> command, ProcessRunner runner, Path logDir) {
    this.command = List.copyOf(command);
    this.runner = runner;
    this.logDir = logDir;
  }

  /** Finds wrangler as described above; empty when there is none. */
  public static Optional<List<String>> locate(Map<String, String> env) {
    String explicit = env.get("FLAREDEPLOY_WRANGLER");
    if (explicit != null && !explicit.isBlank()) {
      return Optional.of(List.of(explicit));
    }
    String root = env.getOrDefault("FLAREDEPLOY_ROOT", System.getProperty("flaredeploy.root"));
    if (root != null) {
      Path pinned = Path.of(root, "node_modules", ".bin", "wrangler");
      if (Files.isExecutable(pinned)) {
        return Optional.of(List.of(pinned.toAbsolutePath().toString()));
      }
    }
    for (String dir : env.getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "wrangler"))) {
        return Optional.of(List.of(Path.of(dir, "wrangler").toString()));
      }
    }
    return Optional.empty();
  }

  /** The argv prefix that runs this wrangler (for long-running commands such as {@code dev}). */
  public List<String> command() {
    return command;
  }

  /** Environment every wrangler invocation gets on top of the worker's own. */
  public Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    env.put("CI", "true");
    env.put("WRANGLER_SEND_METRICS", "false");
    env.put("WRANGLER_SEND_ERROR_REPORTS", "false");
    env.put("WRANGLER_HIDE_BANNER", "true");
    env.put("WRANGLER_LOG", "log");
    env.put("WRANGLER_LOG_PATH", logDir.toString());
    env.put("NO_COLOR", "1");
    return env;
  }

  /** Runs {@code wrangler <args>} in {@code workingDir}; returns whatever it exits with. */
  public ProcessResult run(
      List<String> args, Path workingDir, Duration timeout, ProcessRunner.Tick tick) {
    return run(args, workingDir, Map.of(), timeout, tick);
  }

  /**
   * As {@link #run(List, Path, Duration, ProcessRunner.Tick)}, with {@code extraEnvironment} on top of
   * {@link #environment()} (e.g. the Cloudflare credentials, or a per-call {@code WRANGLER_OUTPUT_FILE_PATH}).
   */
  public ProcessResult run(
      List<String> args,
      Path workingDir,
      Map<String, String> extraEnvironment,
      Duration timeout,
      ProcessRunner.Tick tick) {
    List<String> argv = new ArrayList<>(command);
    argv.addAll(args);
    Map<String, String> env = environment();
    env.putAll(extraEnvironment);
    return runner.run(argv, workingDir, env, timeout, tick);
  }

  /** Where wrangler writes its debug logs ({@code WRANGLER_LOG_PATH}). */
  public Path logDir() {
    return logDir;
  }
}
