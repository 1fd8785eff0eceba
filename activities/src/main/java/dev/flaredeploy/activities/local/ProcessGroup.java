package dev.flaredeploy.activities.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * The processes of one detached release: the wrangler wrapper started under {@code setsid} leads its own
 * session and process group (group id = its pid), and its node and workerd children stay in that group
 * even after the wrapper is gone (they are then re-parented, so {@link ProcessHandle#descendants()} no
 * longer finds them). Group membership is read from {@code /proc/<pid>/stat} (Linux).
 *
 * <p>Signals go to individual pids only, never to a name.
 */
final class ProcessGroup {
  private ProcessGroup() {}

  /** The process group of {@code pid}, empty when it is gone or /proc is not readable. */
  static OptionalLong groupOf(long pid) {
    return statField(pid, 2);
  }

  /** The session of {@code pid}, empty when it is gone or /proc is not readable. */
  static OptionalLong sessionOf(long pid) {
    return statField(pid, 3);
  }

  /**
   * Live processes whose process group is {@code pgid}, plus the descendants of {@code pgid} itself when
   * it is alive (in case a child changed group), filtered by {@code belongs}.
   */
  static List<ProcessHandle> members(long pgid, Predicate<ProcessHandle> belongs) {
    Map<Long, ProcessHandle> found = new LinkedHashMap<>();
    ProcessHandle.of(pgid).filter(ProcessHandle::isAlive).ifPresent(leader -> {
      found.put(leader.pid(), leader);
      leader.descendants().forEach(d -> found.put(d.pid(), d));
    });
    ProcessHandle.allProcesses()
        .filter(p -> groupOf(p.pid()).orElse(-1) == pgid)
        .forEach(p -> found.putIfAbsent(p.pid(), p));
    return found.values().stream().filter(ProcessHandle::isAlive).filter(belongs).toList();
  }

  /** The command line of a process ({@code /proc/<pid>/cmdline}, else what the JDK reports), or "". */
  static String commandLine(ProcessHandle process) {
    return String.join(" ", arguments(process)).trim();
  }

  /** The argv of a process ({@code /proc/<pid>/cmdline} split on NUL, else what the JDK reports), or empty. */
  static List<String> arguments(ProcessHandle process) {
    Path cmdline = Path.of("/proc", Long.toString(process.pid()), "cmdline");
    try {
      byte[] raw = Files.readAllBytes(cmdline);
      if (raw.length > 0) {
        return List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
      }
    } catch (IOException | SecurityException e) {
      // fall through to the JDK's view
    }
    List<String> argv = new java.util.ArrayList<>();
    process.info().command().ifPresent(argv::add);
    process.info().arguments().ifPresent(a -> argv.addAll(List.of(a)));
    return argv;
  }

  /**
   * Sends SIGTERM to each process, waits up to {@code grace} for all to exit, then SIGKILLs the rest and
   * waits briefly for them. Returns the pids still alive afterwards (normally none).
   */
  static List<Long> terminate(List<ProcessHandle> processes, Duration grace) {
    processes.forEach(ProcessHandle::destroy);
    awaitExit(processes, grace);
    List<ProcessHandle> stubborn = processes.stream().filter(ProcessHandle::isAlive).toList();
    stubborn.forEach(ProcessHandle::destroyForcibly);
    awaitExit(stubborn, Duration.ofSeconds(3));
    return stubborn.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList();
  }

  /** Waits until none of the processes is alive or the time is up; true when all are gone. */
  static boolean awaitExit(List<ProcessHandle> processes, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (processes.stream().anyMatch(ProcessHandle::isAlive)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /** Field {@code index} (0 = state) after the ")" that ends the command name in /proc/pid/stat. */
  private static OptionalLong statField(long pid, int index) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return OptionalLong.of(Long.parseLong(fields[index]));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }
}
