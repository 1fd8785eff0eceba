package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.flaredeploy.cli.LocalProjects.Project;
import dev.flaredeploy.testkit.HistoryText;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production controls end to end on the local target, as a user runs them: a {@code flaredeploy dev-server
 * --no-worker}, a packaged {@code flaredeploy worker --metrics-port} (killed with SIGKILL and replaced while a
 * deployment waits for approval), a loopback webhook receiver whose URL only the worker's environment holds, and
 * the CLI: approvals bound to the plan's digest, notifications, {@code releases}, {@code rollback} (with {@code
 * --restore-database}) and the worker's Prometheus metrics.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class ProductionControlsIT {
  private static final String HOOK_PATH = "/hook/T0SECRET/B0SECRET/s3cret-webhook-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DIGEST = Pattern.compile("plan digest: ([0-9a-f]{16})");

  @TempDir static Path home;
  static CliRunner cli;
  static LocalProjects projects;
  static DevServerProcess devServer;
  static String address;
  static HttpServer receiver;
  static String hookUrl;
  static final List<JsonNode> received = new CopyOnWriteArrayList<>();
  static final AtomicInteger receiverStatus = new AtomicInteger(200);
  static Process worker;
  static int metricsPort;
  static final List<Process> workers = new ArrayList<>();
  static final List<String> services = new ArrayList<>();
  static final List<String> outputs = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startServerWorkerAndReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      if (exchange.getRequestURI().getPath().equals(HOOK_PATH)) {
        received.add(JSON.readTree(body));
      }
      exchange.sendResponseHeaders(receiverStatus.get(), -1);
      exchange.close();
    });
    receiver.start();
    hookUrl = "http://127.0.0.1:" + receiver.getAddress().getPort() + HOOK_PATH;
    cli = new CliRunner(home, Map.of("HOOK_URL", hookUrl));
    projects = new LocalProjects(home, cli);
    devServer = DevServerProcess.start(cli, home, "--no-worker");
    address = devServer.address();
    worker = startWorker("first");
  }

  @AfterAll
  static void stopEverything() throws Exception {
    for (Process w : workers) {
      w.destroy();
      if (!w.waitFor(20, TimeUnit.SECONDS)) {
        w.destroyForcibly();
      }
    }
    for (String service : services) {
      cli.run("local", "stop", service);
    }
    if (devServer != null) {
      devServer.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  @Test
  void anApprovalWaitSurvivesAKilledWorkerRefusesAStaleDigestAsksAgainAfterDriftAndCompletesWhenApproved()
      throws Exception {
    Project p = project("prod-approve", """
        [approval]
        required = true
        timeout = "2h"

        [[notify]]
        url_env = "HOOK_URL"
        events = ["waiting_for_approval", "succeeded"]
        format = "json"
        """);
    String planned = digestIn(run("plan", p.dir().toString()).stdout());
    String id = p.id();
    CliRunner.Result started = run("deploy", p.dir().toString(), "--address", address, "--detach");
    assertThat(started.exitCode()).as(started.toString()).isZero();
    JsonNode waiting = awaitState(id, "WAITING_FOR_APPROVAL");
    String first = waiting.at("/approval/plan/value").asText();
    assertThat(first).as("plan prints the digest a deployment would wait on").isEqualTo(planned);
    assertThat(waiting.at("/approval/plan/pending").toString()).contains("0001_create_notes.sql", "sha256:");
    CliRunner.Result status = run("status", id, "--address", address);
    assertThat(status.stdout()).contains("WAITING_FOR_APPROVAL", "plan digest " + first,
        "flaredeploy approve " + id + " --digest " + first);
    assertThat(projects.stateDir(p).resolve("v3/d1")).as("nothing changed while it waits").doesNotExist();

    worker.destroyForcibly(); // SIGKILL while the deployment waits
    assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
    worker = startWorker("after-kill");

    CliRunner.Result stale = run("approve", id, "--digest", "0123456789abcdef", "--address", address);
    assertThat(stale.exitCode()).as(stale.toString()).isEqualTo(3);
    assertThat(stale.stderr()).contains("StaleDigest", first);
    assertThat(awaitState(id, "WAITING_FOR_APPROVAL").at("/approval/decisions")).isEmpty();

    // while it waits, a person applies the migrations by hand: the plan it would run is not the one approved
    projects.applyWithWrangler(p);
    CliRunner.Result again = run("approve", id, "--digest", first, "--address", address, "--output", "json");
    assertThat(again.exitCode()).as(again.toString()).isEqualTo(3);
    assertThat(again.json().get("result").asText()).isEqualTo("ASKING_AGAIN");
    String second = again.json().get("digest").asText();
    assertThat(second).isNotEqualTo(first);
    assertThat(again.json().get("detail").asText()).contains("changed while it waited",
        "no longer pending migration: DB/0001_create_notes.sql");
    JsonNode waitingAgain = awaitDigest(id, second);
    assertThat(waitingAgain.at("/approval/why").asText()).contains("changed while it waited");

    CliRunner.Result approved = run("approve", id, "--digest", second, "--reason", "applied by hand, known",
        "--address", address);
    assertThat(approved.exitCode()).as(approved.toString()).isZero();
    CliRunner.Result done = run("watch", id, "--address", address, "--output", "json");
    JsonNode report = done.json();
    assertThat(report.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    assertThat(CliRunner.get(p.port(), "/health").statusCode()).isEqualTo(200);
    assertThat(report.at("/approval/decisions/0/digest").asText()).isEqualTo(first);
    assertThat(report.at("/approval/decisions/1/digest").asText()).isEqualTo(second);
    assertThat(report.at("/approval/decisions/1/reason").asText()).isEqualTo("applied by hand, known");
    assertThat(report.at("/approval/decisions/1/by").asText()).contains("@");
    assertThat(run("status", id, "--address", address).stdout()).contains("approved " + second, "applied by hand, known");

    assertThat(awaitEvents(id, 3)).containsExactly("waiting_for_approval", "waiting_for_approval", "succeeded");
    assertNoWebhookUrlAnywhere(id);
  }

  @Test
  void theApprovalTimeoutEndsTheRunExpiredWithNothingChanged() throws Exception {
    // the end-to-end timeout waits for real (5 s); the 24 h default is on the time-skipping server (ApprovalWorkflowTest)
    Project p = project("prod-expire", """
        [approval]
        required = true
        timeout = "5s"
        """);
    CliRunner.Result result = run("deploy", p.dir().toString(), "--address", address, "--output", "json");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.json().get("state").asText()).isEqualTo("APPROVAL_EXPIRED");
    assertThat(result.stderr()).contains("flaredeploy approve " + p.id() + " --digest ");
    assertThat(projects.stateDir(p).resolve("v3/d1")).as("nothing changed").doesNotExist();
  }
  @Test
  void anApprovedDeploymentCompletesAndARejectedOneChangesNothing() throws Exception {
    Project p = project("prod-gate", """
        [approval]
        required = true

        [[notify]]
        url_env = "HOOK_URL"
        events = ["waiting_for_approval", "succeeded", "failed"]
        format = "json"
        """);
    String id = p.id();
    assertThat(run("deploy", p.dir().toString(), "--address", address, "--detach").exitCode()).isZero();
    String digest = awaitState(id, "WAITING_FOR_APPROVAL").at("/approval/plan/value").asText();
    CliRunner.Result approved = run("approve", id, "--digest", digest, "--address", address);
    assertThat(approved.exitCode()).as(approved.toString()).isZero();
    assertThat(approved.stdout()).contains("PROCEEDING");
    JsonNode report = run("watch", id, "--address", address, "--output", "json").json();
    assertThat(report.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(CliRunner.get(p.port(), "/health").statusCode()).isEqualTo(200);
    assertThat(awaitEvents(id, 2)).containsExactly("waiting_for_approval", "succeeded");

    // the next deployment is rejected: nothing changes
    Files.writeString(p.file("migrations/0003_tags.sql"), "CREATE TABLE tags (name TEXT PRIMARY KEY);\n");
    String before = projects.export(p);
    assertThat(run("deploy", p.dir().toString(), "--address", address, "--detach").exitCode()).isZero();
    awaitState(id, "WAITING_FOR_APPROVAL");
    CliRunner.Result rejected = run("reject", id, "--reason", "not before the demo", "--address", address);
    assertThat(rejected.exitCode()).as(rejected.toString()).isZero();
    CliRunner.Result watch = run("watch", id, "--address", address, "--output", "json");
    assertThat(watch.exitCode()).isEqualTo(1);
    assertThat(watch.json().get("state").asText()).isEqualTo("REJECTED");
    assertThat(watch.json().get("summary").asText()).contains("not before the demo", "nothing was changed");
    assertThat(projects.ledger(p)).doesNotContain("0003_tags.sql");
    assertThat(projects.export(p)).as("schema, data and ledger as before").isEqualTo(before);
    assertThat(awaitEvents(id, 4)).containsExactly("waiting_for_approval", "succeeded", "waiting_for_approval",
        "failed");
    assertNoWebhookUrlAnywhere(id);
  }

  @Test
  void releasesListsTheDeploymentsRollbackPutsAnEarlierOneLiveAndRestoresADatabaseOnlyWhenNothingMovedOn()
      throws Exception {
    Project p = project("prod-releases", """
        [[notify]]
        url_env = "HOOK_URL"
        events = ["rolled_back", "succeeded"]
        format = "slack"
        """);
    String id = p.id();
    receiverStatus.set(500); // a receiver that fails changes no outcome
    try {
      CliRunner.Result first = deploy(p);
      assertThat(first.json().get("state").asText()).isEqualTo("SUCCEEDED");
      assertThat(first.json().get("warnings").toString()).contains("succeeded notification to $HOOK_URL was not "
          + "delivered: the webhook answered 500");
    } finally {
      receiverStatus.set(200);
    }
    assertThat(CliRunner.post(p.port(), "/notes", "{\"body\":\"keep me\",\"author\":\"ada\"}").statusCode())
        .isEqualTo(201);
    version(p, "v2");
    Files.writeString(p.file("migrations/0003_tags.sql"), "CREATE TABLE tags (name TEXT PRIMARY KEY);\n");
    assertThat(deploy(p).json().get("state").asText()).isEqualTo("SUCCEEDED");
    version(p, "v3");
    assertThat(deploy(p).json().get("state").asText()).isEqualTo("SUCCEEDED");

    JsonNode releases = run("releases", p.dir().toString(), "--output", "json").json();
    List<JsonNode> rows = list(releases.get("releases"));
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0).get("live").asBoolean()).isTrue();
    assertThat(rows.subList(1, 3)).allSatisfy(r -> assertThat(r.get("live").asBoolean()).isFalse());
    assertThat(rows.get(1).at("/migrationsApplied/DB").toString()).contains("0003_tags.sql");
    assertThat(rows.get(2).at("/migrationsApplied/DB").toString()).contains("0001_create_notes.sql",
        "0002_add_author.sql");
    assertThat(rows).allSatisfy(r -> {
      assertThat(r.get("runId").asText()).isNotBlank();
      assertThat(r.get("at").asText()).isNotBlank();
    });
    CliRunner.Result text = run("releases", p.dir().toString());
    assertThat(text.stdout()).contains("3 release(s)", "* " + rows.get(0).get("release").asText().substring(0, 12));

    String middle = rows.get(1).get("release").asText();
    CliRunner.Result back = run("rollback", p.dir().toString(), "--to", middle.substring(0, 12), "--address", address,
        "--output", "json");
    assertThat(back.exitCode()).as(back.toString()).isZero();
    assertThat(back.json().get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(back.json().get("summary").asText()).contains("smoke test passed", "left as they are");
    assertThat(CliRunner.get(p.port(), "/").body()).contains("v2:");
    assertThat(CliRunner.get(p.port(), "/health").statusCode()).isEqualTo(200);
    assertThat(awaitEvents(id, 4)).endsWith("rolled_back");
    assertNoWebhookUrlAnywhere(id); // the rollback's run, which notified
    JsonNode afterRollback = run("releases", p.dir().toString(), "--output", "json").json();
    assertThat(afterRollback.get("live").asText()).isEqualTo(middle);
    JsonNode listed = run("list", "--service", p.service(), "--address", address, "--output", "json").json();
    assertThat(listed.get(0).get("summary").asText()).as("list shows the rollback, newest first")
        .startsWith("rollback: rolled back to release " + middle.substring(0, 12));
    assertThat(list(listed)).hasSize(4);

    // a bad migration that damages data, deployed successfully; undo it with its restore point
    version(p, "v4");
    Files.writeString(p.file("migrations/0004_bad.sql"), "UPDATE notes SET body = 'lost';\n");
    assertThat(deploy(p).json().get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(CliRunner.get(p.port(), "/notes").body()).doesNotContain("keep me");

    CliRunner.Result unconfirmed = run("rollback", p.dir().toString(), "--restore-database", "--address", address);
    assertThat(unconfirmed.exitCode()).as(unconfirmed.toString()).isEqualTo(2);
    assertThat(unconfirmed.stderr()).contains("would restore", "database DB from ", "--yes");
    assertThat(CliRunner.get(p.port(), "/notes").body()).as("nothing changed").doesNotContain("keep me");

    CliRunner.Result restored = run("rollback", p.dir().toString(), "--restore-database", "--yes", "--address",
        address, "--output", "json");
    assertThat(restored.exitCode()).as(restored.toString()).isZero();
    assertThat(restored.json().get("summary").asText()).contains("restored DB from ", "checkpoints");
    assertThat(CliRunner.get(p.port(), "/notes").body()).contains("keep me");
    assertThat(projects.ledger(p)).doesNotContain("0004_bad.sql");

    // once a later deployment changed the database (it failed its smoke test and kept its migration, as
    // restore_database_on says by default), restoring to before the live release is refused
    Files.delete(p.file("migrations/0004_bad.sql"));
    Files.writeString(p.file("migrations/0004_worse.sql"), "UPDATE notes SET author = 'nobody';\n");
    version(p, "v5");
    assertThat(deploy(p).json().get("state").asText()).isEqualTo("SUCCEEDED");
    Files.writeString(p.file("migrations/0005_more.sql"), "CREATE TABLE more (id INTEGER PRIMARY KEY);\n");
    Path index = p.file("src/index.js");
    Files.writeString(index, Files.readString(index).replace("if (url.pathname === \"/health\") {",
        "if (url.pathname === \"/health\") {\n      return new Response(\"broken\", { status: 500 });"));
    assertThat(deploy(p).json().get("state").asText()).isEqualTo("ROLLED_BACK");
    CliRunner.Result refused = run("rollback", p.dir().toString(), "--restore-database", "--yes", "--address",
        address, "--output", "json");
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(3);
    assertThat(refused.json().at("/error/message").asText()).contains("moved on", "0005_more.sql",
        "without --restore-database");
    assertThat(projects.ledger(p)).contains("0004_worse.sql", "0005_more.sql");
    assertThat(CliRunner.get(p.port(), "/").body()).as("nothing changed").contains("v5:");
  }

  /**
   * A fleet of three tenants, b's environment requiring an approval: b waits under its own id while a and c deploy,
   * changing nothing until it is approved by its own id; deploy says how, status shows it, approve of the fleet id
   * lists it; the fleet then succeeds and sends its own outcome once.
   */
  @Test
  void aFleetMemberThatNeedsAnApprovalWaitsUnderItsOwnIdWhileTheOthersDeployAndTheFleetNotifiesItsOutcome()
      throws Exception {
    List<String> tenants = List.of("tenant-a", "tenant-b", "tenant-c");
    LocalProjects.Tenants fleet = projects.tenants("prod-fleet", tenants);
    Path toml = fleet.dir().resolve("flaredeploy.toml");
    Files.writeString(toml, Files.readString(toml) + """

        [env.tenant-b.approval]
        required = true

        [[notify]]
        url_env = "HOOK_URL"
        events = ["succeeded", "failed"]
        format = "json"
        """);
    String fleetId = "fleet:local:prod-fleet:tenant-*";
    String b = fleet.id("tenant-b");
    try {
      CompletableFuture<CliRunner.Result> deploy = CompletableFuture.supplyAsync(() -> run("deploy",
          fleet.dir().toString(), "--env", "tenant-*", "--canary", "1", "--parallel", "2", "--address", address,
          "--output", "json"));

      JsonNode waiting = null;
      for (int i = 0; i < 240 && waiting == null; i++) {
        CliRunner.Result status = cli.run("status", fleetId, "--address", address, "--output", "json");
        if (status.exitCode() == 0 && "WAITING_FOR_APPROVAL".equals(status.json().at("/members/1/state").asText())
            && "SUCCEEDED".equals(status.json().at("/members/2/state").asText())) {
          waiting = status.json();
        }
        Thread.sleep(500);
      }
      assertThat(waiting).as("b waits while c deploys: " + cli.run("status", fleetId, "--address", address))
          .isNotNull();
      String digest = waiting.at("/members/1/digest").asText();
      assertThat(waiting.get("state").asText()).isEqualTo("RUNNING");
      assertThat(waiting.get("failed").asInt()).isZero();
      assertThat(CliRunner.listening(fleet.ports().get("tenant-b"))).as("no release before its approval").isFalse();
      assertThat(projects.stateDir(fleet.project("tenant-b"), "tenant-b").resolve("v3/d1"))
          .as("no migration before its approval").doesNotExist();
      assertThat(run("status", fleetId, "--address", address).stdout()).contains(
          "APPROVAL NEEDED: prod-fleet (tenant-b) waits for plan " + digest + ": flaredeploy approve " + b
              + " --digest " + digest);
      CliRunner.Result ofTheFleet = run("approve", fleetId, "--digest", digest, "--address", address);
      assertThat(ofTheFleet.exitCode()).as(ofTheFleet.toString()).isEqualTo(3);
      assertThat(ofTheFleet.stderr()).contains("approved one by one", "flaredeploy approve " + b + " --digest " + digest);

      CliRunner.Result approved = run("approve", b, "--digest", digest, "--address", address);
      assertThat(approved.exitCode()).as(approved.toString()).isZero();

      CliRunner.Result result = deploy.get(5, TimeUnit.MINUTES);
      assertThat(result.exitCode()).as(result.toString()).isZero();
      assertThat(result.json().get("state").asText()).isEqualTo("SUCCEEDED");
      assertThat(result.stderr()).contains("1 member requires an approval (prod-fleet (tenant-b))",
          "prod-fleet (tenant-b): waits for approval of plan " + digest + ": flaredeploy approve " + b + " --digest "
              + digest);
      assertThat(CliRunner.get(fleet.ports().get("tenant-b"), "/ready").statusCode()).isEqualTo(200);
      assertThat(awaitEvents(fleetId, 1)).as("the fleet's own outcome, once").containsExactly("succeeded");
      assertThat(eventsFor(b)).as("each member's own, as a single deployment's").containsExactly("succeeded");
      assertNoWebhookUrlAnywhere(fleetId);
    } finally {
      tenants.forEach(t -> cli.run("local", "stop", fleet.service(), "--env", t));
    }
  }

  @Test
  void theWorkersMetricsCountDeploymentsByOutcomeRollbacksMigrationsAndStepDurations() throws Exception {
    Project p = project("prod-metrics", "");
    assertThat(deploy(p).json().get("state").asText()).isEqualTo("SUCCEEDED");
    Path index = p.file("src/index.js");
    Files.writeString(index, Files.readString(index).replace("if (url.pathname === \"/health\") {",
        "if (url.pathname === \"/health\") {\n      return new Response(\"broken\", { status: 500 });"));
    CliRunner.Result rolledBack = cli.run("deploy", p.dir().toString(), "--address", address, "--output", "json");
    assertThat(rolledBack.json().get("state").asText()).isEqualTo("ROLLED_BACK");

    String service = "service=\"" + p.service() + "\"";
    String scrape = awaitScrape(s -> value(s, "flaredeploy_deployments_total", service, "outcome=\"ROLLED_BACK\"") == 1
        && value(s, "flaredeploy_deployments_total", service, "outcome=\"SUCCEEDED\"") == 1);
    assertThat(value(scrape, "flaredeploy_rollbacks_total", service, "kind=\"automatic\"")).isEqualTo(1);
    assertThat(value(scrape, "flaredeploy_migrations_applied_total", service, "database=\"DB\"")).isEqualTo(2);
    assertThat(value(scrape, "flaredeploy_step_duration_seconds_count", service, "step=\"smoke-test\"",
        "outcome=\"SUCCEEDED\"")).isEqualTo(1);
    assertThat(value(scrape, "flaredeploy_step_duration_seconds_count", service, "step=\"smoke-test\"",
        "outcome=\"FAILED\"")).isEqualTo(1);
    assertThat(value(scrape, "flaredeploy_step_duration_seconds_bucket", service, "step=\"apply-migrations\"",
        "outcome=\"SUCCEEDED\"", "le=\"+Inf\"")).isEqualTo(1);
    assertThat(scrape).contains("flaredeploy_approvals_waiting", "temporal_");
  }

  // ---------------------------------------------------------------------------------------------

  static Process startWorker(String role) throws Exception {
    metricsPort = CliRunner.freePort();
    Path log = home.resolve("worker-" + role + ".log");
    Process w = cli.command("worker", "--address", address, "--metrics-port", String.valueOf(metricsPort))
        .redirectOutput(log.toFile())
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    workers.add(w);
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (!Files.readString(log).contains("polling task queue")) {
      if (!w.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("the worker did not start: " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    return w;
  }

  Project project(String service, String extraToml) throws IOException {
    Project p = projects.copy(service);
    services.add(service);
    Files.writeString(p.file("flaredeploy.toml"), Files.readString(p.file("flaredeploy.toml")) + "\n" + extraToml);
    return p;
  }

  static CliRunner.Result run(String... args) {
    CliRunner.Result r = cli.run(args);
    outputs.add(r.stdout());
    outputs.add(r.stderr());
    return r;
  }

  static CliRunner.Result deploy(Project p) {
    CliRunner.Result r = run("deploy", p.dir().toString(), "--address", address, "--output", "json");
    assertThat(r.exitCode()).as(r.toString()).isIn(0, 1);
    return r;
  }

  static void version(Project p, String label) throws IOException {
    Path index = p.file("src/index.js");
    Files.writeString(index, Files.readString(index).replaceAll("hello-d1( v\\d+)?: try", "hello-d1 " + label + ": try"));
  }

  static JsonNode awaitState(String id, String state) throws InterruptedException {
    for (int i = 0; i < 240; i++) {
      CliRunner.Result status = cli.run("status", id, "--address", address, "--output", "json");
      if (status.exitCode() == 0 && state.equals(status.json().get("state").asText())) {
        return status.json();
      }
      Thread.sleep(500);
    }
    throw new AssertionError(id + " never reached " + state + ": " + cli.run("status", id, "--address", address));
  }

  static JsonNode awaitDigest(String id, String digest) throws InterruptedException {
    for (int i = 0; i < 240; i++) {
      JsonNode status = cli.run("status", id, "--address", address, "--output", "json").json();
      if ("WAITING_FOR_APPROVAL".equals(status.get("state").asText())
          && digest.equals(status.at("/approval/plan/value").asText())) {
        return status;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(id + " never waited on " + digest);
  }

  static List<String> eventsFor(String id) {
    return received.stream()
        .filter(n -> n.has("deployment") ? n.get("deployment").asText().equals(id) : n.path("text").asText().contains(id))
        .map(n -> n.has("event") ? n.get("event").asText() : slackEvent(n.get("text").asText()))
        .toList();
  }

  static List<String> awaitEvents(String id, int count) throws InterruptedException {
    for (int i = 0; i < 100 && eventsFor(id).size() < count; i++) {
      Thread.sleep(200);
    }
    return eventsFor(id);
  }

  static String slackEvent(String text) {
    return text.contains("rolled back") ? "rolled_back" : text.contains("succeeded") ? "succeeded"
        : text.contains("waiting for approval") ? "waiting_for_approval" : "failed";
  }

  /** The webhook URL is in no history (payloads decoded), no worker log, no CLI output. */
  static void assertNoWebhookUrlAnywhere(String id) throws IOException {
    String secret = "s3cret-webhook-token";
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    try {
      WorkflowClient client = WorkflowClient.newInstance(stubs);
      String history = HistoryText.of(client.fetchHistory(id).toJson(true));
      assertThat(history).as("the history of " + id).contains("HOOK_URL").doesNotContain(secret);
    } finally {
      stubs.shutdownNow();
    }
    try (var logs = Files.list(home)) {
      for (Path log : logs.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
        assertThat(Files.readString(log)).as(log.toString()).doesNotContain(secret);
      }
    }
    assertThat(outputs).allSatisfy(o -> assertThat(o).doesNotContain(secret));
  }

  static String awaitScrape(java.util.function.Predicate<String> done) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String last = "";
    for (int i = 0; i < 60; i++) {
      last = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the metrics never showed what was expected:\n" + last);
  }

  /** The sum of the samples of {@code metric} whose labels contain every one of {@code labels}. */
  static double value(String scrape, String metric, String... labels) {
    double sum = 0;
    for (String line : scrape.split("\n")) {
      if (!line.startsWith(metric + "{")) {
        continue;
      }
      String labelText = line.substring(line.indexOf('{'), line.lastIndexOf('}') + 1);
      boolean all = true;
      for (String label : labels) {
        all &= labelText.contains(label);
      }
      if (all) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  static String digestIn(String planText) {
    Matcher m = DIGEST.matcher(planText);
    assertThat(m.find()).as("plan prints a digest: " + planText).isTrue();
    return m.group(1);
  }

  static List<JsonNode> list(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }
}
