package dev.flaredeploy.activities.local;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.Wrangler;
import dev.flaredeploy.workflows.FailureTypes;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * The release runtime of the local target: a supervised {@code wrangler dev} that serves a working copy
 * of the released snapshot on {@code 127.0.0.1:<port>}, with the environment's D1 state.
 *
 * <p><b>Detached.</b> wrangler is started under {@code setsid}, so it leads its own session and process
 * group, with stdin from /dev/null and output appended to {@code releases/<version>.log}. It does not
 * depend on the JVM that started it and keeps serving after that JVM exits. What runs is recorded in
 * {@link LocalWorkspace#runtimeFile} (see {@link RunningRelease}); every later call works from that
 * file, so any process (a worker, the CLI) can inspect or stop the release.
 *
 * <p><b>Only what we started is touched.</b> A process is stopped only through the pid recorded in the
 * runtime file, after checking that this pid still runs {@code wrangler dev} with the recorded config on
 * the recorded port; when the wrapper itself is gone, its leftover node/workerd children are found
 * through its process group. A foreign process on the port is never stopped: it is reported, and a
 * release onto a port held by one is refused before the current release is touched.
 *
 * <p>Calls on the same (service, environment) are serialised, across JVMs, by a lock file next to the
 * runtime file.
 */
public class LocalReleases {
  /** How long a new release may take to answer HTTP before it is judged failed. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

  /** Environment name meaning "the top level of the wrangler config" (no {@code --env}). */
  public static final String DEFAULT_ENVIRONMENT = "default";

  /** wrangler forwards SIGTERM and disposes miniflare; about 2 s in practice. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private static final Duration PORT_RELEASE_WAIT = Duration.ofSeconds(5);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  private static final List<String> CONFIG_NAMES =
      List.of("wrangler.json", "wrangler.jsonc", "wrangler.toml");
  private static final int LOG_TAIL_LINES = 30;
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final LocalWorkspace workspace;
  private final Wrangler wrangler;
  private final HttpClient http;
  private final Clock clock;
  private final Duration startTimeout;
  private final IntSupplier inspectorPorts;
  private final ObjectMapper json =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public LocalReleases(LocalWorkspace workspace, Wrangler wrangler) {
    this(
        workspace,
        wrangler,
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build(),
        Clock.systemUTC(),
        DEFAULT_START_TIMEOUT,
        LocalReleases::ephemeralPort);
  }

  /**
   * @param http probes whether a port answers (HTTP/1.1, no proxy)
   * @param startTimeout how long a new release may take to answer
   * @param inspectorPorts picks a free port for wrangler's inspector on each start
   */
  public LocalReleases(
      LocalWorkspace workspace,
      Wrangler wrangler,
      HttpClient http,
      Clock clock,
      Duration startTimeout,
      IntSupplier inspectorPorts) {
    this.workspace = workspace;
    this.wrangler = wrangler;
    this.http = http;
    this.clock = clock;
    this.startTimeout = startTimeout;
    this.inspectorPorts = inspectorPorts;
  }

  /** The release serving the environment now: recorded, running as recorded, and answering HTTP. */
  public Optional<RunningRelease> live(String service, String environment) {
    return inspect(service, environment).serving();
  }

  /** What serves the environment now, or what is wrong with it. Read-only. */
  public LiveState inspect(String service, String environment) {
    Optional<RunningRelease> recorded = readRuntime(service, environment);
    if (recorded.isEmpty()) {
      return new LiveState(
          LiveStatus.NONE, null, "nothing is released on " + service + "/" + environment);
    }
    RunningRelease r = recorded.get();
    String who = "wrangler dev (pid " + r.pid() + ") for version " + r.version();
    if (ours(r).isPresent()) {
      if (answersHttp(r.port())) {
        return new LiveState(
            LiveStatus.SERVING,
            r,
            "version " + r.version() + " serves " + r.url() + " (pid " + r.pid() + ", since "
                + r.startedAt() + ")");
      }
      return new LiveState(
          LiveStatus.NOT_ANSWERING,
          r,
          who + " runs but " + r.url() + " does not answer (still starting, or hung); see " + r.logFile());
    }
    List<ProcessHandle> leftovers = leftovers(r);
    if (!leftovers.isEmpty()) {
      return new LiveState(
          LiveStatus.DEAD,
          r,
          who + " is gone, but " + leftovers.size() + " of its processes still run (pids "
              + pids(leftovers) + ")" + (portInUse(r.port()) ? " and hold port " + r.port() : "")
              + "; stop or release again to clean up; see " + r.logFile());
    }
    if (portInUse(r.port())) {
      return new LiveState(
          LiveStatus.FOREIGN_PROCESS_ON_PORT,
          r,
          who + " is gone and another program holds port " + r.port() + " (`ss -ltnp 'sport = :"
              + r.port() + "'` shows which); stop it or configure another [local] port");
    }
    return new LiveState(LiveStatus.DEAD, r, who + " is gone; see " + r.logFile());
  }

  /**
   * Puts {@code sourceId} live on {@code 127.0.0.1:port}, serving {@code workdir} (a working copy from
   * {@link LocalWorkspace#workdir}) with the environment's D1 state.
   *
   * <p>Idempotent: when that version already serves from that working copy on that port, returns it and
   * changes nothing. Otherwise stops what was recorded for the environment (its pid and process group
   * only), requires the port to be free, starts the release detached, records it in the runtime file and
   * waits until it answers HTTP, calling {@code tick} about once a second. If it does not answer within
   * the start timeout it is stopped, the runtime file removed, and the exception carries the end of its
   * log; nothing then runs on the environment (the previous release was already stopped), and rolling
   * back means releasing the previous version again (its working copy is kept in {@code releasesDir}).
   * When the port is held by a program we did not start, nothing is changed.
   *
   * @throws LocalReleaseException {@link FailureTypes#RELEASE_FAILED} when the port is held by another
   *     program or the release does not start; {@link FailureTypes#CONFIG_INVALID} when the working copy
   *     has no wrangler config; {@link FailureTypes#TOOL_MISSING} when {@code setsid} is missing
   */
  public RunningRelease release(
      String service,
      String environment,
      String sourceId,
      Path workdir,
      int port,
      ProcessRunner.Tick tick) {
    Path dir = workdir.toAbsolutePath().normalize();
    Path config = configIn(dir);
    try (EnvironmentLock lock = lock(service, environment)) {
      LiveState state = inspect(service, environment);
      RunningRelease recorded = state.recorded();
      if (state.status() == LiveStatus.SERVING
          && recorded.version().equals(sourceId)
          && recorded.port() == port
          && recorded.workdir().equals(dir)) {
        return recorded;
      }
      String previous =
          recorded == null
              ? null
              : recorded.version().equals(sourceId) ? recorded.previousVersion() : recorded.version();
      boolean portIsOurs =
          recorded != null
              && recorded.port() == port
              && state.status() != LiveStatus.FOREIGN_PROCESS_ON_PORT;
      if (!portIsOurs) {
        requirePortFree(port, Duration.ofMillis(500), tick); // refuse before stopping anything
      }
      if (recorded != null) {
        stopRecorded(recorded, tick);
        deleteRuntime(service, environment);
      }
      requirePortFree(port, PORT_RELEASE_WAIT, tick);
      return start(service, environment, sourceId, previous, dir, config, port, tick);
    }
  }

  /**
   * Runs {@code work} while no release of the environment runs, then starts the release that served
   * before again as it was (same version, working copy and port), also when {@code work} fails: for a
   * change that {@code wrangler dev} must not see happen under it (its D1 state moving to the shared
   * place). Without a release serving, just runs {@code work}.
   */
  public void whileStopped(String service, String environment, Runnable work, ProcessRunner.Tick tick) {
    try (EnvironmentLock lock = lock(service, environment)) {
      LiveState state = inspect(service, environment);
      RunningRelease recorded = state.recorded();
      boolean wasServing = recorded != null
          && (state.status() == LiveStatus.SERVING || state.status() == LiveStatus.NOT_ANSWERING);
      if (recorded != null) {
        stopRecorded(recorded, tick);
        deleteRuntime(service, environment);
      }
      try {
        work.run();
      } finally {
        if (wasServing) {
          requirePortFree(recorded.port(), PORT_RELEASE_WAIT, tick);
          start(service, environment, recorded.version(), recorded.previousVersion(), recorded.workdir(),
              recorded.configFile(), recorded.port(), tick);
        }
      }
    }
  }

  /**
   * Stops the recorded release (SIGTERM to the wrangler wrapper, which stops its children; then any
   * leftover of its process group; SIGKILL after a grace period) and removes the runtime file. A no-op
   * when nothing is recorded. Never touches a process it did not start.
   */
  public void stop(String service, String environment) {
    try (EnvironmentLock lock = lock(service, environment)) {
      Optional<RunningRelease> recorded = readRuntime(service, environment);
      if (recorded.isPresent()) {
        stopRecorded(recorded.get(), ProcessRunner.Tick.NONE);
        deleteRuntime(service, environment);
      }
    }
  }

  private RunningRelease start(
      String service,
      String environment,
      String sourceId,
      String previous,
      Path workdir,
      Path config,
      int port,
      ProcessRunner.Tick tick) {
    Path log = workspace.releasesDir(service, environment).resolve(sourceId + ".log");
    int inspectorPort = inspectorPorts.getAsInt();
    List<String> argv = new ArrayList<>();
    argv.add(setsid());
    argv.addAll(wrangler.command());
    argv.addAll(List.of("dev", "-c", config.toString()));
    if (!DEFAULT_ENVIRONMENT.equals(environment)) {
      argv.addAll(List.of("--env", environment));
    }
    argv.addAll(
        List.of(
            "--ip", "127.0.0.1",
            "--port", Integer.toString(port),
            "--inspector-port", Integer.toString(inspectorPort),
            "--persist-to", workspace.stateDir(service, environment).toString(),
            "--show-interactive-dev-session=false"));

    Process process;
    long logStart;
    try {
      Files.createDirectories(log.getParent());
      Files.createDirectories(workspace.stateDir(service, environment));
      Files.writeString(
          log,
          "--- flaredeploy " + clock.instant() + ": starting version " + sourceId + " on 127.0.0.1:"
              + port + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      logStart = Files.size(log);
      ProcessBuilder builder =
          new ProcessBuilder(argv)
              .directory(workdir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectErrorStream(true);
      builder.environment().putAll(wrangler.environment());
      process = builder.start();
      ProcessRunner.count(argv);
    } catch (IOException e) {
      throw new LocalReleaseException(
          FailureTypes.RELEASE_FAILED,
          "could not start wrangler dev for " + sourceId + ": " + e.getMessage(),
          e);
    }

    RunningRelease started =
        new RunningRelease(
            service,
            environment,
            sourceId,
            previous,
            process.pid(),
            port,
            inspectorPort,
            workdir,
            config,
            log,
            clock.instant());
    try {
      // Recorded before it answers, so that a worker that dies while waiting leaves a pid to stop.
      writeRuntime(started);
      awaitAnswer(started, process, tick);
      return started;
    } catch (RuntimeException e) {
      // Failed to answer, or the caller's tick threw (e.g. the activity was cancelled): leave nothing
      // running that no runtime file points to. The caller's exception is rethrown as is.
      stopRecorded(started, ProcessRunner.Tick.NONE);
      deleteRuntime(service, environment);
      throw e;
    }
  }

  private void awaitAnswer(RunningRelease r, Process process, ProcessRunner.Tick tick) {
    long begin = System.nanoTime();
    long deadline = begin + startTimeout.toNanos();
    long nextTick = begin + Duration.ofSeconds(1).toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw startFailure(
            r, "wrangler dev exited with code " + process.exitValue() + " before answering on " + r.url());
      }
      if (answersHttp(r.port())) {
        return;
      }
      long now = System.nanoTime();
      if (now > deadline) {
        throw startFailure(
            r, "wrangler dev did not answer on " + r.url() + " within " + startTimeout.toSeconds() + " s");
      }
      if (now >= nextTick) {
        tick.tick();
        nextTick = now + Duration.ofSeconds(1).toNanos();
      }
      sleep(200);
    }
  }

  private LocalReleaseException startFailure(RunningRelease r, String what) {
    return new LocalReleaseException(
        FailureTypes.RELEASE_FAILED,
        "release " + r.version() + " of " + r.service() + "/" + r.environment() + " failed to start: "
            + what + "\n--- end of " + r.logFile() + ":\n" + logTail(r));
  }

  /** Stops the recorded release if its processes still run; throws if some could not be stopped. */
  private void stopRecorded(RunningRelease r, ProcessRunner.Tick tick) {
    Optional<ProcessHandle> wrapper = ours(r);
    if (wrapper.isPresent()) {
      List<ProcessHandle> group = ProcessGroup.members(r.pid(), p -> true);
      wrapper.get().destroy(); // SIGTERM: the wrapper forwards it and wrangler disposes workerd
      awaitExit(group, STOP_GRACE, tick);
    }
    List<ProcessHandle> rest = leftovers(r);
    List<Long> alive = ProcessGroup.terminate(rest, Duration.ofSeconds(2));
    if (!alive.isEmpty()) {
      throw new LocalReleaseException(
          FailureTypes.RELEASE_FAILED,
          "could not stop wrangler dev for version " + r.version() + ": pids " + alive
              + " survived SIGKILL");
    }
  }

  private static void requirePortFree(int port, Duration wait, ProcessRunner.Tick tick) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (portInUse(port)) {
      if (System.nanoTime() > deadline) {
        throw new LocalReleaseException(
            FailureTypes.RELEASE_FAILED,
            "port " + port + " on 127.0.0.1 is held by a program flaredeploy did not start, so the release"
                + " cannot serve there; stop that program (`ss -ltnp 'sport = :" + port
                + "'` shows which) or set another port under [local] in flaredeploy.toml");
      }
      tick.tick();
      sleep(200);
    }
  }

  /**
   * The recorded wrapper, if its pid still runs what we started: {@code wrangler dev} with the recorded
   * config (a path under the flaredeploy home) on the recorded port. Guards against pid reuse.
   */
  private static Optional<ProcessHandle> ours(RunningRelease r) {
    return ProcessHandle.of(r.pid())
        .filter(ProcessHandle::isAlive)
        .filter(p -> isDevServerOf(ProcessGroup.commandLine(p), r.configFile(), r.port()));
  }

  static boolean isDevServerOf(String commandLine, Path config, int port) {
    return commandLine.contains(" -c " + config + " ") && isWranglerDevOnPort(commandLine, port);
  }

  /** True for the command line of a {@code wrangler dev … --port <port>}. */
  static boolean isWranglerDevOnPort(String commandLine, int port) {
    List<String> words = Arrays.asList(commandLine.split("\\s+"));
    int at = words.indexOf("--port");
    return words.contains("dev")
        && at >= 0
        && at + 1 < words.size()
        && words.get(at + 1).equals(Integer.toString(port));
  }

  /**
   * Processes of the release's group that outlived its wrapper. Only looked for when the recorded pid is
   * gone: while it lives (and is not ours) the group id belongs to someone else.
   */
  private static List<ProcessHandle> leftovers(RunningRelease r) {
    if (ProcessHandle.of(r.pid()).map(ProcessHandle::isAlive).orElse(false) && ours(r).isEmpty()) {
      return List.of();
    }
    return ProcessGroup.members(
        r.pid(),
        p -> {
          String cmd = ProcessGroup.commandLine(p);
          return cmd.contains(r.configFile().toString())
              || cmd.contains("wrangler")
              || cmd.contains("workerd")
              || cmd.contains("esbuild");
        });
  }

  private static String pids(List<ProcessHandle> processes) {
    return String.join(", ", processes.stream().map(p -> Long.toString(p.pid())).toList());
  }

  private boolean answersHttp(int port) {
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
            .timeout(PROBE_TIMEOUT)
            .GET()
            .build();
    try {
      http.send(probe, HttpResponse.BodyHandlers.discarding());
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while probing port " + port, e);
    }
  }

  /** True when something listens on 127.0.0.1:port (or on all interfaces). */
  static boolean portInUse(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** A port the kernel considers free now (its ephemeral range). */
  static int ephemeralPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port for wrangler's inspector", e);
    }
  }

  private static Path configIn(Path workdir) {
    for (String name : CONFIG_NAMES) {
      Path candidate = workdir.resolve(name);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new LocalReleaseException(
        FailureTypes.CONFIG_INVALID,
        "no wrangler config (" + String.join(", ", CONFIG_NAMES) + ") in the working copy " + workdir);
  }

  private static String setsid() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "setsid");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new LocalReleaseException(
        FailureTypes.TOOL_MISSING,
        "setsid (util-linux) is not on the PATH; the local target needs it to detach wrangler dev");
  }

  private String logTail(RunningRelease r) {
    try (RandomAccessFile file = new RandomAccessFile(r.logFile().toFile(), "r")) {
      long from = Math.max(0, file.length() - 16_384);
      file.seek(from);
      byte[] bytes = new byte[(int) (file.length() - from)];
      file.readFully(bytes);
      String text = ProcessRunner.stripAnsi(new String(bytes, StandardCharsets.UTF_8));
      int marker = text.lastIndexOf("--- flaredeploy ");
      if (marker >= 0) {
        text = text.substring(text.indexOf('\n', marker) + 1);
      }
      List<String> lines = text.strip().lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private Optional<RunningRelease> readRuntime(String service, String environment) {
    Path file = workspace.runtimeFile(service, environment);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(json.readValue(file.toFile(), RuntimeFile.class).toRelease());
    } catch (IOException | RuntimeException e) {
      throw new LocalReleaseException(
          FailureTypes.RELEASE_FAILED,
          "the runtime file " + file + " is unreadable (" + e.getMessage() + "); make sure no wrangler dev"
              + " of " + service + "/" + environment + " still runs, then delete it",
          e);
    }
  }

  private void writeRuntime(RunningRelease r) {
    Path file = workspace.runtimeFile(r.service(), r.environment());
    try {
      Files.createDirectories(file.getParent());
      Path temp = Files.createTempFile(file.getParent(), ".runtime-", ".json.tmp");
      try {
        json.writeValue(temp.toFile(), RuntimeFile.of(r));
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the runtime file " + file, e);
    }
  }

  private void deleteRuntime(String service, String environment) {
    try {
      Files.deleteIfExists(workspace.runtimeFile(service, environment));
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove the runtime file", e);
    }
  }

  private static void awaitExit(List<ProcessHandle> processes, Duration limit, ProcessRunner.Tick tick) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!ProcessGroup.awaitExit(processes, Duration.ofSeconds(1))) {
      if (System.nanoTime() > deadline) {
        return;
      }
      tick.tick();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private EnvironmentLock lock(String service, String environment) {
    Path file = workspace.environmentDir(service, environment).resolve("runtime.lock");
    ReentrantLock inJvm = JVM_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
    inJvm.lock();
    try {
      Files.createDirectories(file.getParent());
      FileChannel channel =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        return new EnvironmentLock(inJvm, channel, channel.lock());
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      inJvm.unlock();
      throw new UncheckedIOException("could not lock " + file, e);
    } catch (RuntimeException e) {
      inJvm.unlock();
      throw e;
    }
  }

  /** Held while an environment's release is inspected and changed. */
  private record EnvironmentLock(ReentrantLock inJvm, FileChannel channel, FileLock fileLock)
      implements AutoCloseable {
    @Override
    public void close() {
      try {
        fileLock.release();
        channel.close();
      } catch (IOException e) {
        // closing the channel releases the lock anyway
      } finally {
        inJvm.unlock();
      }
    }
  }
}
