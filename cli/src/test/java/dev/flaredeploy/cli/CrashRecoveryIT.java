package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flaredeploy.activities.local.D1Files;
import dev.flaredeploy.activities.local.LocalWorkspace;
import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.source.SourceSnapshots;
import dev.flaredeploy.cli.HoldingActivities.When;
import dev.flaredeploy.cli.LocalProjects.Project;
import dev.flaredeploy.workflows.Steps;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * Crash-proof deployments, with real processes: a {@code flaredeploy dev-server --no-worker}, a worker
 * that is killed with SIGKILL inside a chosen step ({@link HoldingWorkerMain}, or in the middle of applying
 * migrations the packaged {@code flaredeploy worker} itself), a replacement worker (the packaged {@code
 * flaredeploy worker}, same FLAREDEPLOY_HOME) and the CLI ({@code deploy --detach}, {@code watch}). Every
 * worker runs with default flags: each must find out by itself that the dev-server is the Java test server,
 * which never moves a workflow off a dead worker's sticky queue, and turn sticky execution off. After each crash the deployment must end as it would have without one: every
 * migration applied exactly once, the data from before intact, and the right release serving.
 *
 * <p>Each scenario has its own service, port and task queue. How long the retry took to start on the new
 * worker after the kill is printed and written to {@code target/crash-recovery-times.txt}.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class CrashRecoveryIT {
  /** The example's migrations, and the six each deployment under test adds. */
  static final List<String> BEFORE = List.of("0001_create_notes.sql", "0002_add_author.sql");
  static final List<String> ADDED = List.of("0003_events.sql", "0004_t4.sql", "0005_t5.sql", "0006_t6.sql",
      "0007_t7.sql", "0008_t8.sql");

  @TempDir static Path home;
  static CliRunner cli;
  static LocalProjects projects;
  static DevServerProcess devServer;
  static String address;
  static WorkflowServiceStubs stubs;
  static WorkflowClient temporal;
  /** A database holding the example's two migrations and one note: each scenario starts from a copy. */
  static Path seedDatabase;
  static final List<String> services = new ArrayList<>();
  static final List<Process> workers = new ArrayList<>();
  static final Map<Long, Path> logs = new HashMap<>();
  static final Map<String, String> timings = new LinkedHashMap<>();

  @BeforeAll
  static void startDevServerWithoutWorkerAndSeedADatabase() throws Exception {
    cli = new CliRunner(home);
    projects = new LocalProjects(home, cli);
    devServer = DevServerProcess.start(cli, home, "--no-worker");
    address = devServer.address();
    stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    temporal = WorkflowClient.newInstance(stubs);

    Project seed = projects.copy("crash-seed");
    projects.applyWithWrangler(seed);
    projects.query(seed, "INSERT INTO notes (body, author) VALUES ('written before the deployment', 'ada')");
    seedDatabase = D1Files.database(projects.stateDir(seed), seed.databaseId()); // wrangler's, in seed's own state
  }

  @AfterAll
  static void stopEverything() throws Exception {
    for (Process worker : workers) {
      stop(worker);
    }
    for (String service : services) {
      cli.run("local", "stop", service);
    }
    if (stubs != null) {
      stubs.shutdownNow();
    }
    if (devServer != null) {
      devServer.close();
    }
    StringBuilder text = new StringBuilder("kill -9 of the worker → the step's retry starts on the new worker\n");
    timings.forEach((step, line) -> text.append(String.format("  %-17s %s%n", step, line)));
    System.out.print(text);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/crash-recovery-times.txt"), text);
  }

  // --- the kill points -----------------------------------------------------------------------------

  @Test
  void workerKilledAfterPrepareIsReplacedAndTheDeploymentSucceeds() throws Exception {
    Project p = seededWithSixNewMigrations("crash-prepare", false);
    List<JsonNode> notes = notes(p);

    Crash crash = crashAndResume(p, startHolding(p, Steps.PREPARE, When.AFTER), Steps.PREPARE, this::awaitMarker,
        () -> { });

    assertSucceededWithEveryMigrationOnce(p, crash, notes);
  }

  @Test
  void workerKilledInValidateSchemaResumesFromGitWhenTheSnapshotIsGoneAndTheCheckoutMovedOn() throws Exception {
    Project p = seededWithSixNewMigrations("crash-validate", false);
    commitAll(p);
    List<JsonNode> notes = notes(p);
    String[] source = new String[1];

    Crash crash = crashAndResume(p, startHolding(p, Steps.VALIDATE_SCHEMA, When.AFTER), Steps.VALIDATE_SCHEMA,
        this::awaitMarker, () -> {
          // as on another machine: neither the pinned snapshot nor its working copy is there, and the
          // checkout has moved on; the deployment must still deploy exactly what prepare pinned
          source[0] = cli.run("status", p.id(), "--address", address, "--output", "json").json().get("source").asText();
          LocalWorkspace.deleteTree(home.resolve("snapshots").resolve(source[0]));
          LocalWorkspace.deleteTree(new LocalWorkspace(home).releasesDir(p.service(), "default").resolve(source[0]));
          LocalProjects.replace(p.file("src/index.js"), "hello-d1 v2: try", "hello-d1 v3: try");
        });

    assertSucceededWithEveryMigrationOnce(p, crash, notes);
    assertThat(CliRunner.get(p.port(), "/").body()).doesNotContain("v3:");
    assertThat(SourceSnapshots.contentHash(home.resolve("snapshots").resolve(source[0])))
        .as("the snapshot was rebuilt from git with its own id").isEqualTo(source[0]);
  }

  @Test
  void workerKilledAfterCheckpointIsReplacedAndTheDeploymentSucceeds() throws Exception {
    Project p = seededWithSixNewMigrations("crash-checkpoint", false);
    List<JsonNode> notes = notes(p);

    Crash crash = crashAndResume(p, startHolding(p, Steps.CHECKPOINT, When.AFTER), Steps.CHECKPOINT,
        this::awaitMarker, () -> { });

    assertSucceededWithEveryMigrationOnce(p, crash, notes);
  }

  @Test
  void flaredeployWorkerKilledWhileApplyingMigrationsIsReplacedWithDefaultFlagsAndAppliesEachExactlyOnce()
      throws Exception {
    Project p = seededWithSixNewMigrations("crash-apply", true);
    List<JsonNode> notes = notes(p);
    int[] ledgerAtKill = {-1};
    Process worker = startWorker(p, "killed");
    awaitLog(worker, "sticky execution off");

    Crash crash = crashAndResume(p, worker, Steps.APPLY_MIGRATIONS,
        (w, marker) -> ledgerAtKill[0] = awaitMigrationsUnderWay(p, w), () -> { });

    assertSucceededWithEveryMigrationOnce(p, crash, notes);
    assertThat(log(worker)).as("the worker said what it found and decided")
        .contains("in-memory Java test server (flaredeploy dev-server)", "sticky execution off");
    // the worker applies in its own process, in one transaction per migration: the kill rolls back the one
    // under way (SQLite), and the retry applies it and the rest, each once
    assertThat(attemptsOf(crash.watch().json(), Steps.APPLY_MIGRATIONS)).as("no attempt failed after the crash")
        .isEqualTo(2);
    assertThat(crash.orphans()).as("no process outlives the worker to go on applying").isEmpty();
    timings.computeIfPresent(Steps.APPLY_MIGRATIONS, (k, line) -> line + "; killed with "
        + (ledgerAtKill[0] - BEFORE.size()) + " of 6 applied, inside 0004's transaction");
  }

  @Test
  void workerKilledAfterDeployWorkerIsReplacedAndTheDeploymentSucceeds() throws Exception {
    Project p = seededWithSixNewMigrations("crash-deploy", false);
    List<JsonNode> notes = notes(p);

    Crash crash = crashAndResume(p, startHolding(p, Steps.DEPLOY_WORKER, When.AFTER), Steps.DEPLOY_WORKER,
        this::awaitMarker, () -> { });

    assertSucceededWithEveryMigrationOnce(p, crash, notes);
  }

  @Test
  void workerKilledAfterSmokeTestIsReplacedAndTheDeploymentSucceeds() throws Exception {
    Project p = seededWithSixNewMigrations("crash-smoke", false);
    List<JsonNode> notes = notes(p);

    Crash crash = crashAndResume(p, startHolding(p, Steps.SMOKE_TEST, When.AFTER), Steps.SMOKE_TEST,
        this::awaitMarker, () -> { });

    assertSucceededWithEveryMigrationOnce(p, crash, notes);
  }

  @Test
  void workerKilledInRollbackWorkerIsReplacedAndThePreviousReleaseServes() throws Exception {
    Project p = projects.copy("crash-rollback");
    services.add(p.service());
    Process holding = startHolding(p, Steps.ROLLBACK_WORKER, When.AFTER);
    CliRunner.Result v1 = deploy(p);
    assertThat(v1.exitCode()).as(v1.toString()).isZero();
    assertThat(CliRunner.post(p.port(), "/notes", "{\"body\":\"written before the deployment\",\"author\":\"ada\"}")
        .statusCode()).isEqualTo(201);
    List<JsonNode> notes = notes(p);
    addSixMigrationsAndMarkV2(p, false);
    LocalProjects.replace(p.file("src/index.js"), "if (url.pathname === \"/health\") {",
        "if (url.pathname === \"/health\") {\n      return new Response(\"broken\", { status: 500 });");

    Crash crash = crashAndResume(p, holding, Steps.ROLLBACK_WORKER, this::awaitMarker, () -> { });

    assertThat(crash.watch().exitCode()).as(crash.watch().toString()).isEqualTo(1);
    JsonNode report = crash.watch().json();
    assertThat(report.get("state").asText()).isEqualTo("ROLLED_BACK");
    assertThat(report.at("/error/step").asText()).isEqualTo(Steps.SMOKE_TEST);
    assertThat(attemptsOf(report, Steps.ROLLBACK_WORKER)).isGreaterThanOrEqualTo(2);
    assertEveryMigrationOnce(p);
    assertThat(notes(p)).isEqualTo(notes);
    var health = CliRunner.get(p.port(), "/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("healthy");
    assertThat(CliRunner.get(p.port(), "/").body()).as("the previous release serves").doesNotContain("v2:");
  }

  @Test
  void workerKilledInRestoreDatabaseIsReplacedAndTheDatabaseIsExactlyAsBefore() throws Exception {
    Project p = projects.copy("crash-restore");
    services.add(p.service());
    Process holding = startHolding(p, Steps.RESTORE_DATABASE, When.AFTER);
    CliRunner.Result v1 = deploy(p);
    assertThat(v1.exitCode()).as(v1.toString()).isZero();
    assertThat(CliRunner.post(p.port(), "/notes", "{\"body\":\"written before the deployment\",\"author\":\"ada\"}")
        .statusCode()).isEqualTo(201);
    String before = projects.export(p);
    LocalProjects.write(p.file("migrations/0003_events.sql"),
        "CREATE TABLE events (migration TEXT NOT NULL);\nINSERT INTO events VALUES ('0003');\n");
    LocalProjects.write(p.file("migrations/0004_t4.sql"), "CREATE TABLE t4 (id INTEGER PRIMARY KEY);\n");
    // valid SQLite, so validate-schema's shadow lets it through, but wrangler 4.86's own statement
    // splitter breaks "(CASE … END )" in a trigger body: it fails during the real apply, after 0003 and 0004
    LocalProjects.write(p.file("migrations/0005_broken.sql"), """
        CREATE TABLE audit (id INTEGER PRIMARY KEY, note_id INTEGER, kind TEXT);
        CREATE TRIGGER notes_audit AFTER INSERT ON notes BEGIN
          INSERT INTO audit (note_id, kind) VALUES (NEW.id, (CASE WHEN NEW.author IS NULL THEN 'anon' ELSE 'named' END ));
        END;
        """);
    LocalProjects.replace(p.file("src/index.js"), "hello-d1: try", "hello-d1 v2: try");

    Crash crash = crashAndResume(p, holding, Steps.RESTORE_DATABASE, this::awaitMarker, () -> { });

    assertThat(crash.watch().exitCode()).as(crash.watch().toString()).isEqualTo(1);
    JsonNode report = crash.watch().json();
    assertThat(report.get("state").asText()).isEqualTo("ROLLED_BACK");
    assertThat(report.at("/error/step").asText()).isEqualTo(Steps.APPLY_MIGRATIONS);
    assertThat(report.at("/error/message").asText()).contains("0005_broken.sql", "applied before it");
    assertThat(attemptsOf(report, Steps.RESTORE_DATABASE)).isGreaterThanOrEqualTo(2);
    assertThat(projects.export(p)).as("the database is exactly as before the deployment").isEqualTo(before);
    assertThat(projects.ledger(p)).containsExactlyElementsOf(BEFORE);
    assertThat(CliRunner.get(p.port(), "/health").statusCode()).isEqualTo(200);
    assertThat(CliRunner.get(p.port(), "/").body()).as("the previous release serves").doesNotContain("v2:");
  }

  // --- crash and resume ------------------------------------------------------------------------------

  /** What a crash left: when the worker died, the d1 commands that outlived it, and how the run ended. */
  record Crash(String id, Instant killedAt, List<ProcessHandle> orphans, Instant orphansEndedAt, Instant resumedAt,
      CliRunner.Result watch) {}

  @FunctionalInterface
  interface KillPoint {
    void await(Process worker, Path marker) throws Exception;
  }

  @FunctionalInterface
  interface WhileDead {
    void run() throws Exception;
  }

  /**
   * deploy --detach → wait for the kill point → kill -9 the worker → {@code whileDead} → a replacement
   * worker → watch. Records how long after the kill the step's retry started.
   */
  Crash crashAndResume(Project p, Process holding, String step, KillPoint killPoint, WhileDead whileDead)
      throws Exception {
    CliRunner.Result started = cli.run("deploy", p.dir().toString(), "--address", address, "--task-queue",
        queue(p), "--detach");
    assertThat(started.exitCode()).as(started.toString()).isZero();
    String id = started.stdout().strip();
    assertThat(id).isEqualTo(p.id());

    killPoint.await(holding, marker(p));
    List<ProcessHandle> d1 = holding.descendants().filter(h -> commandLine(h).contains(" d1 ")).toList();
    holding.destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye to the server
    Instant killedAt = Instant.now();
    assertThat(holding.waitFor(10, TimeUnit.SECONDS)).as("the worker died").isTrue();
    List<ProcessHandle> orphans = d1.stream().filter(ProcessHandle::isAlive).toList();
    AtomicReference<Instant> orphansEndedAt = new AtomicReference<>();
    CompletableFuture.allOf(orphans.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
        .thenRun(() -> orphansEndedAt.set(Instant.now()));

    whileDead.run();
    Process replacement = startWorker(p, "replacement");
    try {
      CliRunner.Result watch = cli.run("watch", id, "--address", address, "--output", "json");
      Instant resumedAt = recordResume(id, step, killedAt);
      return new Crash(id, killedAt, orphans, orphans.isEmpty() ? null : orphansEndedAt.get(), resumedAt, watch);
    } finally {
      stop(replacement);
      awaitOrKill(orphans);
    }
  }

  /** The packaged {@code flaredeploy worker}, with default flags, on the project's task queue. */
  Process startWorker(Project p, String role) throws IOException {
    Path log = home.resolve(p.service() + "-" + role + ".log");
    Process worker = cli.command("worker", "--address", address, "--task-queue", queue(p))
        .redirectOutput(log.toFile())
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    logs.put(worker.pid(), log);
    workers.add(worker);
    return worker;
  }

  /** Waits until the worker's log holds {@code text} (what it prints once it polls). */
  void awaitLog(Process worker, String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
    while (!log(worker).contains(text)) {
      if (!worker.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("the worker never said \"" + text + "\": " + log(worker));
      }
      Thread.sleep(100);
    }
  }

  Process startHolding(Project p, String step, When when) throws IOException {
    Path log = home.resolve(p.service() + "-holding.log");
    ProcessBuilder builder = new ProcessBuilder(javaExecutable(), "-cp", System.getProperty("java.class.path"),
        HoldingWorkerMain.class.getName(), "--address", address, "--task-queue", queue(p), "--hold", step,
        "--when", when.name().toLowerCase(), "--marker", marker(p).toString())
        .redirectOutput(log.toFile())
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().remove("TEMPORAL_ADDRESS");
    builder.environment().putAll(cli.environment());
    Process worker = builder.start();
    logs.put(worker.pid(), log);
    workers.add(worker);
    return worker;
  }

  void awaitMarker(Process worker, Path marker) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!Files.exists(marker)) {
      if (!worker.isAlive()) {
        throw new AssertionError("the holding worker died before holding: " + log(worker));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the holding worker never held; its log: " + log(worker));
      }
      Thread.sleep(100);
    }
  }

  /**
   * Waits until the worker has applied at least one new migration (the ledger, read from the SQLite file
   * itself, has grown), so that it is inside the slow 0004's transaction. Returns the ledger size then.
   */
  int awaitMigrationsUnderWay(Project p, Process worker) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      if (!worker.isAlive()) {
        throw new AssertionError("the worker died before applying: " + log(worker));
      }
      int size = ledgerSize(p);
      if (size > BEFORE.size()) {
        return size;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the apply never recorded a migration: " + log(worker));
  }

  /** Rows in the ledger, read from the SQLite file read-only (WAL mode: a reader does not block the writer). */
  int ledgerSize(Project p) throws SQLException {
    Path file = projects.databaseFile(p);
    if (!Files.exists(file)) {
      return 0;
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(5_000);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM d1_migrations")) {
      return r.next() ? r.getInt(1) : 0;
    } catch (SQLException e) {
      if (String.valueOf(e.getMessage()).contains("no such table")) {
        return 0;
      }
      throw e;
    }
  }

  /** From the run's history: when the killed step's next attempt started, after the kill. */
  Instant recordResume(String id, String step, Instant killedAt) {
    Map<Long, String> scheduled = new HashMap<>();
    Instant resumed = null;
    int attempt = 0;
    for (HistoryEvent event : temporal.fetchHistory(id).getEvents()) {
      if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        scheduled.put(event.getEventId(), event.getActivityTaskScheduledEventAttributes().getActivityType().getName());
      } else if (event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
        var attrs = event.getActivityTaskStartedEventAttributes();
        Instant at = Instant.ofEpochSecond(event.getEventTime().getSeconds(), event.getEventTime().getNanos());
        if (step.equals(scheduled.get(attrs.getScheduledEventId())) && attrs.getAttempt() >= 2 && resumed == null) {
          resumed = at;
          attempt = attrs.getAttempt();
        }
      }
    }
    assertThat(resumed).as(step + " was retried after the kill").isNotNull();
    double seconds = Duration.between(killedAt, resumed).toMillis() / 1000.0;
    timings.put(step, String.format("%5.1f s (attempt %d)", seconds, attempt));
    System.out.printf("%s: kill -9 → %s attempt %d started %.1f s later%n", id, step, attempt, seconds);
    return resumed;
  }

  // --- assertions -----------------------------------------------------------------------------------

  void assertSucceededWithEveryMigrationOnce(Project p, Crash crash, List<JsonNode> notesBefore) {
    CliRunner.Result watch = crash.watch();
    assertThat(watch.exitCode()).as(watch.toString()).isZero();
    JsonNode report = watch.json();
    assertThat(report.get("state").asText()).isEqualTo("SUCCEEDED");
    assertEveryMigrationOnce(p);
    assertThat(notes(p)).as("data written before the deployment").isEqualTo(notesBefore);
    var health = CliRunner.get(p.port(), "/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("healthy");
    assertThat(CliRunner.get(p.port(), "/").body()).as("the new release serves").contains("v2:");
  }

  void assertEveryMigrationOnce(Project p) {
    List<String> all = new ArrayList<>(BEFORE);
    all.addAll(ADDED);
    assertThat(projects.ledger(p)).as("the ledger records each migration once").containsExactlyElementsOf(all);
    List<String> effects = projects.query(p, "SELECT migration, count(*) AS n FROM events GROUP BY migration "
        + "ORDER BY migration").stream().map(r -> r.get("migration").asText() + "×" + r.get("n").asInt()).toList();
    assertThat(effects).as("each migration's own effect happened once")
        .containsExactly("0003×1", "0004×1", "0005×1", "0006×1", "0007×1", "0008×1");
  }

  static int attemptsOf(JsonNode report, String step) {
    int attempts = 0;
    for (JsonNode s : report.get("steps")) {
      if (s.get("name").asText().equals(step)) {
        attempts = Math.max(attempts, s.get("attempts").asInt());
      }
    }
    return attempts;
  }

  // --- projects ---------------------------------------------------------------------------------------

  /** A project whose database already holds the example's migrations and a note; v2 adds six migrations. */
  Project seededWithSixNewMigrations(String service, boolean slowFourth) throws IOException {
    Project p = projects.copy(service);
    services.add(service);
    // the seeded database as p's own, in its state (as an installation from before databases were shared has
    // it): wrangler reads it there, and the deployment's first write moves it to the shared place
    Path file = projects.databaseFile(p);
    Files.createDirectories(file.getParent());
    for (String companion : List.of("", "-wal")) { // workerd leaves its last writes in the WAL
      Path from = seedDatabase.resolveSibling(seedDatabase.getFileName() + companion);
      if (Files.exists(from)) {
        Files.copy(from, file.resolveSibling(file.getFileName() + companion));
      }
    }
    addSixMigrationsAndMarkV2(p, slowFourth);
    return p;
  }

  /**
   * Migrations 0003–0008, each recording itself in {@code events} (so a second application would show).
   * With {@code slowFourth}, 0004 also computes for about 15 s: long enough to kill the worker inside its
   * transaction.
   */
  static void addSixMigrationsAndMarkV2(Project p, boolean slowFourth) throws IOException {
    LocalProjects.write(p.file("migrations/0003_events.sql"),
        "CREATE TABLE events (migration TEXT NOT NULL);\nINSERT INTO events VALUES ('0003');\n");
    for (int n = 4; n <= 8; n++) {
      LocalProjects.write(p.file("migrations/000" + n + "_t" + n + ".sql"),
          "CREATE TABLE t" + n + " (id INTEGER PRIMARY KEY, v TEXT);\n"
              + "INSERT INTO events VALUES ('000" + n + "');\n"
              + (slowFourth && n == 4 ? "INSERT INTO t4 (v) SELECT count(*) FROM (WITH RECURSIVE c(x) AS "
                  + "(SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 100000000) SELECT x FROM c);\n" : ""));
    }
    LocalProjects.replace(p.file("src/index.js"), "hello-d1: try", "hello-d1 v2: try");
  }

  List<JsonNode> notes(Project p) {
    return projects.query(p, "SELECT id, body, author, created_at FROM notes ORDER BY id");
  }

  CliRunner.Result deploy(Project p) {
    return cli.run("deploy", p.dir().toString(), "--address", address, "--task-queue", queue(p), "--output", "json");
  }

  static void commitAll(Project p) {
    for (List<String> git : List.of(List.of("init", "-q"), List.of("add", "-A"),
        List.of("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "v2"))) {
      List<String> argv = new ArrayList<>(List.of("git", "-C", p.dir().toString()));
      argv.addAll(git);
      ProcessResult r = new ProcessRunner().run(argv, p.dir(), Map.of(), Duration.ofSeconds(30), ProcessRunner.Tick.NONE);
      assertThat(r.exitCode()).as("git " + git + ": " + r.diagnostics()).isZero();
    }
  }

  static String queue(Project p) {
    return "crash-" + p.service();
  }

  static Path marker(Project p) {
    return home.resolve(p.service() + ".holding");
  }

  // --- processes --------------------------------------------------------------------------------------

  static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static String log(Process worker) {
    try {
      return Files.readString(logs.get(worker.pid()));
    } catch (IOException | RuntimeException e) {
      return "(no log for pid " + worker.pid() + ": " + e + ")";
    }
  }

  static String commandLine(ProcessHandle h) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline"))).replace('\0', ' ');
    } catch (IOException e) {
      return h.info().commandLine().orElse("");
    }
  }

  /** Stops a worker we started (SIGTERM: it finishes its shutdown hook), by its handle. */
  static void stop(Process worker) throws InterruptedException {
    if (worker.isAlive()) {
      worker.destroy();
      if (!worker.waitFor(20, TimeUnit.SECONDS)) {
        worker.destroyForcibly();
      }
    }
  }

  /** d1 commands that outlived the killed worker finish on their own; any still running is ended. */
  static void awaitOrKill(List<ProcessHandle> orphans) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (orphans.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    orphans.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
