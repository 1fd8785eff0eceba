package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.flaredeploy.testkit.CloudflareApiRecorder;
import dev.flaredeploy.testkit.ExampleProjects;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet spread over many workers: a {@code flaredeploy dev-server --no-worker}, two packaged {@code flaredeploy
 * worker} processes on one task queue, and a Cloudflare fleet of six environments against {@link
 * CloudflareApiRecorder} (real wrangler, real SQLite per database), four members at a time. Each worker runs two
 * steps at a time ({@code --max-concurrent-steps 2}), so both run members; one is killed with SIGKILL mid-fleet,
 * and the fleet still succeeds: every member deployed once, every database holding each migration once, and what
 * was left ran on the other worker.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FleetWorkersIT {
  private static final String TOKEN = "cfut_" + hex(20);
  private static final String ACCOUNT = hex(16);
  private static final String SERVICE = "fleet-cf";
  private static final List<String> TENANTS =
      List.of("tenant-1", "tenant-2", "tenant-3", "tenant-4", "tenant-5", "tenant-6");

  @TempDir static Path home;
  static CloudflareApiRecorder recorder;
  static HttpServer route;
  static CliRunner cli;
  static DevServerProcess devServer;
  static String address;
  static WorkflowServiceStubs stubs;
  static final List<Process> workers = new ArrayList<>();
  static final Map<String, String> databases = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    recorder = CloudflareApiRecorder.start(TOKEN, ACCOUNT);
    for (String tenant : TENANTS) {
      String id = UUID.nameUUIDFromBytes(tenant.getBytes(StandardCharsets.UTF_8)).toString();
      databases.put(tenant, id);
      recorder.database(id, SERVICE + "-" + tenant);
    }
    // the smoke checks' stand-in: a second per check, so that members overlap and the kill lands mid-fleet
    route = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    route.setExecutor(Executors.newCachedThreadPool());
    route.createContext("/health", exchange -> {
      try {
        Thread.sleep(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] body = "{\"status\":\"healthy\"}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    route.start();
    cli = new CliRunner(home, Map.of(
        "CLOUDFLARE_API_TOKEN", TOKEN,
        "CLOUDFLARE_ACCOUNT_ID", ACCOUNT,
        "CLOUDFLARE_API_BASE_URL", recorder.baseUrl()));
    devServer = DevServerProcess.start(cli, home, "--no-worker");
    address = devServer.address();
    stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
  }

  @AfterAll
  static void stop() throws Exception {
    for (Process worker : workers) {
      if (worker.isAlive()) {
        worker.destroy();
        if (!worker.waitFor(20, TimeUnit.SECONDS)) {
          worker.destroyForcibly();
        }
      }
    }
    if (stubs != null) {
      stubs.shutdownNow();
    }
    if (devServer != null) {
      devServer.close();
    }
    if (route != null) {
      route.stop(0);
    }
    if (recorder != null) {
      recorder.close();
    }
  }

  @Test
  void bothWorkersRunMembersAndTheFleetSucceedsWhenOneIsKilledMidFleet() throws Exception {
    Path project = project();
    Process first = startWorker("first");
    Process second = startWorker("second");
    String fleetId = "fleet:cloudflare:" + SERVICE + ":tenant-*";

    CliRunner.Result started = cli.run("deploy", project.toString(), "--env", "tenant-*", "--canary", "1",
        "--parallel", "4", "--address", address, "--detach");
    assertThat(started.exitCode()).as(started.toString()).isZero();
    assertThat(started.stdout().strip()).isEqualTo(fleetId);

    Set<Long> before = awaitBothWorkersRunningMembers(fleetId, first, second);
    assertThat(before).as("activities of the fleet's members ran on both workers before the kill")
        .contains(first.pid(), second.pid());
    JsonNode atKill = cli.run("status", fleetId, "--address", address, "--output", "json").json();
    assertThat(atKill.get("state").asText()).as("the fleet runs when the worker is killed").isEqualTo("RUNNING");
    first.destroyForcibly(); // SIGKILL
    Instant killedAt = Instant.now();
    assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();

    CliRunner.Result watched = cli.run("watch", fleetId, "--address", address, "--output", "json");

    assertThat(watched.exitCode()).as(watched.toString()).isZero();
    JsonNode report = watched.json();
    assertThat(report.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(report.get("succeeded").asInt()).isEqualTo(6);
    for (String tenant : TENANTS) {
      assertThat(recorder.ledgerOf(databases.get(tenant), "d1_migrations")).as("the ledger of %s", tenant)
          .containsExactly("0001_create_notes.sql", "0002_add_author.sql");
      assertThat(recorder.liveSplit(SERVICE + "-" + tenant)).as("%s serves one version", tenant).hasSize(1);
    }
    List<Long> afterKill = activityStarts().stream().filter(s -> s.at().isAfter(killedAt.plusSeconds(1)))
        .map(ActivityStart::pid).toList();
    assertThat(afterKill).as("the surviving worker ran what was left").isNotEmpty().containsOnly(second.pid());
  }

  // ---- helpers ----

  /** Waits until activities of the fleet's members have started on both workers (and members remain). */
  private Set<Long> awaitBothWorkersRunningMembers(String fleetId, Process first, Process second) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    Set<Long> pids = Set.of();
    while (System.nanoTime() < deadline) {
      pids = workerPidsOfMembers();
      if (pids.contains(first.pid()) && pids.contains(second.pid())) {
        return pids;
      }
      if (!first.isAlive() || !second.isAlive()) {
        throw new AssertionError("a worker died: " + log(first) + log(second));
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the fleet's members never ran on both workers (ran on " + pids + "): "
        + cli.run("status", fleetId, "--address", address));
  }

  /** The pids of the workers that started activities of the members, from the members' histories. */
  private Set<Long> workerPidsOfMembers() {
    Set<Long> pids = new LinkedHashSet<>();
    activityStarts().forEach(s -> pids.add(s.pid()));
    return pids;
  }

  record ActivityStart(long pid, Instant at) {}

  /** Every activity attempt of the members: which worker process started it, and when. */
  private List<ActivityStart> activityStarts() {
    WorkflowClient client = WorkflowClient.newInstance(stubs);
    List<ActivityStart> starts = new ArrayList<>();
    for (String tenant : TENANTS) {
      List<HistoryEvent> events;
      try {
        events = client.fetchHistory("deploy:cloudflare:" + SERVICE + ":" + tenant).getEvents();
      } catch (RuntimeException notStartedYet) {
        continue;
      }
      for (HistoryEvent event : events) {
        if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
          String identity = event.getActivityTaskStartedEventAttributes().getIdentity();
          starts.add(new ActivityStart(Long.parseLong(identity.substring(0, identity.indexOf('@'))),
              Instant.ofEpochSecond(event.getEventTime().getSeconds(), event.getEventTime().getNanos())));
        }
      }
    }
    return starts;
  }

  private static Process startWorker(String role) throws IOException {
    Path log = home.resolve("worker-" + role + ".log");
    // two steps at a time each: the dev-server hands a task to the worker that asked last, so the second worker
    // gets work once the first runs all it may (a Temporal server hands tasks to any worker's waiting poll)
    Process worker = cli.command("worker", "--address", address, "--max-concurrent-steps", "2")
        .redirectOutput(log.toFile())
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    workers.add(worker);
    return worker;
  }

  private static String log(Process worker) {
    for (Path file : List.of(home.resolve("worker-first.log"), home.resolve("worker-second.log"))) {
      try {
        String text = Files.readString(file);
        if (text.contains(String.valueOf(worker.pid()))) {
          return text;
        }
      } catch (IOException ignored) {
        // not written yet
      }
    }
    return "(pid " + worker.pid() + ")";
  }

  /** The example with six tenant environments, each its own D1 database, deployed to Cloudflare. */
  private static Path project() throws IOException {
    Path project = ExampleProjects.copy("hello-d1", home.resolve(SERVICE));
    StringBuilder wrangler = new StringBuilder("name = \"" + SERVICE + "\"\nmain = \"src/index.js\"\n"
        + "compatibility_date = \"2025-06-01\"\n");
    for (String tenant : TENANTS) {
      wrangler.append("\n[env.").append(tenant).append("]\n[[env.").append(tenant).append(".d1_databases]]\n")
          .append("binding = \"DB\"\ndatabase_name = \"").append(SERVICE).append('-').append(tenant).append("\"\n")
          .append("database_id = \"").append(databases.get(tenant)).append("\"\n");
    }
    Files.writeString(project.resolve("wrangler.toml"), wrangler.toString());
    Files.writeString(project.resolve("flaredeploy.toml"), """
        target = "cloudflare"

        [smoke]
        timeout = "20s"
        base_url = "http://127.0.0.1:%d"

        [[smoke.check]]
        path = "/health"
        expect_status = 200
        [[smoke.check]]
        path = "/health"
        expect_status = 200
        """.formatted(route.getAddress().getPort()));
    return project;
  }

  private static String hex(int bytes) {
    byte[] random = new byte[bytes];
    new java.security.SecureRandom().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
