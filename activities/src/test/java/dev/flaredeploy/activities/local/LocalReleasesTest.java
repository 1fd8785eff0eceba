package dev.flaredeploy.activities.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.flaredeploy.activities.TestPorts;
import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.Wrangler;
import dev.flaredeploy.workflows.FailureTypes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LocalReleases against the real pinned wrangler: each test starts a real {@code wrangler dev} (workerd,
 * SQLite) serving examples/hello-d1 on a port of 18900–18949, and stops it afterwards by its recorded pid.
 * Needs {@code npm ci} at the repository root.
 */
class LocalReleasesTest {
  private static final String SERVICE = "hello-d1";
  private static final String ENV = "default";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir static Path home;
  private static LocalWorkspace workspace;
  private static Wrangler wrangler;
  private static Path workdirV1;
  private static Path workdirV2;

  private LocalReleases releases;
  private int port;

  @BeforeAll
  static void prepareSnapshotsAndDatabase() throws IOException {
    workspace = new LocalWorkspace(home);
    wrangler =
        new Wrangler(
            Wrangler.locate(Map.of())
                .orElseThrow(() -> new IllegalStateException("no wrangler: run `npm ci` at the repo root")),
            new ProcessRunner(),
            workspace.logs());
    Path example = Path.of(System.getProperty("flaredeploy.root"), "examples", "hello-d1");
    Path v1 = workspace.snapshots().resolve("v1");
    Path v2 = workspace.snapshots().resolve("v2");
    LocalWorkspace.copyTree(example, v1);
    LocalWorkspace.copyTree(example, v2);
    Path index = v2.resolve("src/index.js");
    Files.writeString(index, Files.readString(index).replace("\"hello-d1: try", "\"hello-d1 v2: try"));
    workdirV1 = workspace.workdir(SERVICE, ENV, "v1", v1);
    workdirV2 = workspace.workdir(SERVICE, ENV, "v2", v2);

    ProcessResult applied =
        wrangler.run(
            List.of(
                "d1", "migrations", "apply", "DB",
                "-c", workdirV1.resolve("wrangler.toml").toString(),
                "--local", "--persist-to", workspace.stateDir(SERVICE, ENV).toString()),
            workdirV1,
            Duration.ofSeconds(60),
            ProcessRunner.Tick.NONE);
    assertThat(applied.succeeded()).as(applied.diagnostics()).isTrue();
  }

  @BeforeEach
  void newReleases() {
    port = TestPorts.free();
    releases =
        new LocalReleases(
            workspace, wrangler, HTTP, Clock.systemUTC(), Duration.ofSeconds(60), TestPorts::freeHelper);
  }

  @AfterEach
  void stopWhatTheTestStarted() {
    releases.stop(SERVICE, ENV);
  }

  @Test
  void servesTheReleaseOnItsPortAndKeepsRunningDetached() throws Exception {
    int inspectorPort = TestPorts.freeHelper();
    String javaBin = ProcessHandle.current().info().command().orElse("java");
    Path out = home.resolve("other-jvm.out");
    Process otherJvm =
        new ProcessBuilder(
                javaBin,
                "-cp", System.getProperty("java.class.path"),
                "-Dflaredeploy.root=" + System.getProperty("flaredeploy.root"),
                ReleaseFromAnotherJvm.class.getName(),
                home.toString(), SERVICE, ENV, "v1", workdirV1.toString(),
                Integer.toString(port), Integer.toString(inspectorPort))
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    assertThat(otherJvm.waitFor(90, TimeUnit.SECONDS)).as("the releasing JVM exits").isTrue();
    assertThat(otherJvm.exitValue()).as(Files.readString(out)).isZero();
    System.out.println("[timing] other JVM: " + Files.readString(out).trim());

    RunningRelease live = releases.live(SERVICE, ENV).orElseThrow();
    assertThat(get(port, "/health")).isEqualTo("200 {\"status\":\"healthy\",\"notes\":0}");
    assertThat(live.version()).isEqualTo("v1");
    assertThat(live.previousVersion()).isNull();
    assertThat(ProcessHandle.of(live.pid()).orElseThrow().parent().map(ProcessHandle::pid))
        .as("no longer a child of the JVM that started it, which is gone")
        .isNotEqualTo(Optional.of(otherJvm.pid()));
    assertThat(ProcessGroup.sessionOf(live.pid())).as("leads its own session").hasValue(live.pid());
    assertThat(ProcessGroup.groupOf(live.pid())).hasValue(live.pid());

    JsonNode runtime = new ObjectMapper().readTree(workspace.runtimeFile(SERVICE, ENV).toFile());
    assertThat(runtime.get("pid").asLong()).isEqualTo(live.pid());
    assertThat(runtime.get("port").asInt()).isEqualTo(port);
    assertThat(runtime.get("inspectorPort").asInt()).isEqualTo(inspectorPort);
    assertThat(runtime.get("version").asText()).isEqualTo("v1");
    assertThat(runtime.get("url").asText()).isEqualTo("http://127.0.0.1:" + port);
    assertThat(runtime.get("workdir").asText()).isEqualTo(workdirV1.toString());
    assertThat(Path.of(runtime.get("logFile").asText()))
        .isEqualTo(workspace.releasesDir(SERVICE, ENV).resolve("v1.log"))
        .content()
        .contains("Ready on http://127.0.0.1:" + port);
    assertThat(Instant.parse(runtime.get("startedAt").asText())).isBefore(Instant.now());
  }

  @Test
  void releasingTheSameVersionAgainIsANoOp() {
    RunningRelease first = timedRelease("v1", workdirV1);
    AtomicInteger ticks = new AtomicInteger();

    long start = System.nanoTime();
    RunningRelease again = releases.release(SERVICE, ENV, "v1", workdirV1, port, ticks::incrementAndGet);
    System.out.println("[timing] no-op release: " + millisSince(start) + " ms");

    assertThat(again).isEqualTo(first);
    assertThat(ProcessHandle.of(first.pid())).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
  }

  @Test
  void releasingANewVersionReplacesTheOldOne() throws Exception {
    RunningRelease v1 = timedRelease("v1", workdirV1);
    assertThat(get(port, "/")).startsWith("200 hello-d1: try");

    RunningRelease v2 = timedRelease("v2", workdirV2);

    assertThat(ProcessHandle.of(v1.pid()).filter(ProcessHandle::isAlive)).as("old wrangler").isEmpty();
    assertThat(v2.pid()).isNotEqualTo(v1.pid());
    assertThat(v2.previousVersion()).isEqualTo("v1");
    assertThat(get(port, "/")).startsWith("200 hello-d1 v2: try");
    assertThat(get(port, "/health")).as("same D1 state").startsWith("200 {\"status\":\"healthy\"");

    RunningRelease rolledBack = timedRelease("v1", workdirV1);

    assertThat(rolledBack.previousVersion()).isEqualTo("v2");
    assertThat(get(port, "/")).startsWith("200 hello-d1: try");
  }

  @Test
  void liveReportsDeadWhenTheProcessWasKilled() throws Exception {
    RunningRelease release = timedRelease("v1", workdirV1);

    ProcessHandle wrapper = ProcessHandle.of(release.pid()).orElseThrow();
    wrapper.destroyForcibly(); // kill -9: the wrapper cannot pass it on, its children live on
    wrapper.onExit().get(5, TimeUnit.SECONDS);

    LiveState state = releases.inspect(SERVICE, ENV);
    assertThat(state.status()).isEqualTo(LiveStatus.DEAD);
    assertThat(state.detail()).contains("pid " + release.pid()).contains("is gone");
    assertThat(releases.live(SERVICE, ENV)).isEmpty();

    releases.stop(SERVICE, ENV);

    assertThat(ProcessGroup.members(release.pid(), p -> true)).as("leftovers of its group").isEmpty();
    assertThat(LocalReleases.portInUse(port)).isFalse();
  }

  @Test
  void refusesWhenAForeignProcessHoldsThePort() throws IOException {
    try (ServerSocket foreign = new ServerSocket()) {
      foreign.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));

      assertThatThrownBy(
              () -> releases.release(SERVICE, ENV, "v1", workdirV1, port, ProcessRunner.Tick.NONE))
          .isInstanceOfSatisfying(
              LocalReleaseException.class,
              e -> assertThat(e.failureType()).isEqualTo(FailureTypes.RELEASE_FAILED))
          .hasMessageContaining("port " + port + " on 127.0.0.1 is held by a program flaredeploy did not start")
          .hasMessageContaining("[local]");

      assertThat(workspace.runtimeFile(SERVICE, ENV)).doesNotExist();
      assertThat(releases.inspect(SERVICE, ENV).status()).isEqualTo(LiveStatus.NONE);
      assertThat(
              ProcessHandle.allProcesses()
                  .map(ProcessGroup::commandLine)
                  .filter(cmd -> LocalReleases.isWranglerDevOnPort(cmd, port)))
          .as("wrangler dev started on the port")
          .isEmpty();
      assertThat(foreign.isClosed()).isFalse();
    }
  }

  @Test
  void aForeignProcessOnTheNewPortLeavesTheCurrentReleaseServing() throws Exception {
    RunningRelease v1 = timedRelease("v1", workdirV1);
    int otherPort = TestPorts.free();
    try (ServerSocket foreign = new ServerSocket()) {
      foreign.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), otherPort));

      assertThatThrownBy(
              () -> releases.release(SERVICE, ENV, "v2", workdirV2, otherPort, ProcessRunner.Tick.NONE))
          .isInstanceOf(LocalReleaseException.class)
          .hasMessageContaining("port " + otherPort);
    }

    assertThat(releases.live(SERVICE, ENV)).hasValue(v1);
    assertThat(get(port, "/")).startsWith("200 hello-d1: try");
  }

  @Test
  void liveReportsAForeignProcessOnTheRecordedPortAndStopLeavesItAlone() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.createDirectories(workspace.environmentDir(SERVICE, ENV));
    new ObjectMapper()
        .writeValue(
            workspace.runtimeFile(SERVICE, ENV).toFile(),
            RuntimeFile.of(
                new RunningRelease(
                    SERVICE, ENV, "v1", null, gone.pid(), port, TestPorts.freeHelper(), workdirV1,
                    workdirV1.resolve("wrangler.toml"), home.resolve("none.log"), Instant.now())));
    assertThat(releases.inspect(SERVICE, ENV).status()).isEqualTo(LiveStatus.DEAD);

    HttpServer foreign = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    foreign.createContext("/", exchange -> {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    foreign.start();
    try {
      LiveState state = releases.inspect(SERVICE, ENV);
      assertThat(state.status()).isEqualTo(LiveStatus.FOREIGN_PROCESS_ON_PORT);
      assertThat(state.detail()).contains("another program holds port " + port);

      releases.stop(SERVICE, ENV);

      assertThat(workspace.runtimeFile(SERVICE, ENV)).doesNotExist();
      assertThat(get(port, "/")).as("the foreign server still answers").startsWith("200");
    } finally {
      foreign.stop(0);
    }
  }

  @Test
  void aReleaseThatFailsToStartLeavesNothingRunningAndQuotesItsLog() throws IOException {
    Path broken = workspace.snapshots().resolve("broken");
    LocalWorkspace.copyTree(workdirV1.resolve("src"), broken.resolve("src"));
    Files.writeString(
        broken.resolve("wrangler.toml"),
        Files.readString(workdirV1.resolve("wrangler.toml")).replace("src/index.js", "src/missing.js"));
    Path workdir = workspace.workdir(SERVICE, ENV, "broken", broken);

    assertThatThrownBy(() -> timedRelease("broken", workdir))
        .isInstanceOfSatisfying(
            LocalReleaseException.class,
            e -> assertThat(e.failureType()).isEqualTo(FailureTypes.RELEASE_FAILED))
        .hasMessageContaining("release broken of hello-d1/default failed to start: wrangler dev exited with code 1")
        .hasMessageContaining("--- end of " + workspace.releasesDir(SERVICE, ENV).resolve("broken.log"))
        .hasMessageContaining("src/missing.js");

    assertThat(workspace.runtimeFile(SERVICE, ENV)).doesNotExist();
    assertThat(LocalReleases.portInUse(port)).isFalse();
  }

  @Test
  void stopStopsTheRelease() throws Exception {
    RunningRelease release = timedRelease("v1", workdirV1);
    List<ProcessHandle> processes = ProcessGroup.members(release.pid(), p -> true);
    assertThat(processes).as("wrapper, wrangler, workerd…").hasSizeGreaterThanOrEqualTo(3);

    long start = System.nanoTime();
    releases.stop(SERVICE, ENV);
    System.out.println("[timing] stop: " + millisSince(start) + " ms");

    assertThat(processes).noneMatch(ProcessHandle::isAlive);
    assertThat(LocalReleases.portInUse(port)).isFalse();
    assertThat(workspace.runtimeFile(SERVICE, ENV)).doesNotExist();
    assertThat(releases.inspect(SERVICE, ENV).status()).isEqualTo(LiveStatus.NONE);
    releases.stop(SERVICE, ENV); // nothing recorded: a no-op
  }

  private RunningRelease timedRelease(String version, Path workdir) {
    AtomicInteger ticks = new AtomicInteger();
    long start = System.nanoTime();
    RunningRelease release = releases.release(SERVICE, ENV, version, workdir, port, ticks::incrementAndGet);
    System.out.println(
        "[timing] release " + version + ": " + millisSince(start) + " ms, " + ticks.get() + " ticks");
    return release;
  }

  private static long millisSince(long start) {
    return Duration.ofNanos(System.nanoTime() - start).toMillis();
  }

  /** "status body" of a GET on 127.0.0.1:port. */
  private static String get(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }
}
