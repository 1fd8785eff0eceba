package dev.flaredeploy.activities.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flaredeploy.activities.DatabaseState;
import dev.flaredeploy.activities.TestPorts;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.activities.testing.PinnedWrangler;
import dev.flaredeploy.testkit.ExampleProjects;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.MigrationFile;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local databases written directly while the release serves them: a real {@code wrangler dev} (workerd
 * holding the SQLite file open) serving examples/hello-d1, and this JVM reading and writing the same file.
 * Proves that direct access is safe beside workerd: nothing is lost, nothing is corrupted, this side never
 * sees SQLITE_BUSY (it waits with a busy timeout), and the release sees every direct change at once.
 */
class LocalDatabasesWithReleaseTest {
  private static final String SERVICE = "hello-d1";
  private static final String ENV = LocalReleases.DEFAULT_ENVIRONMENT;
  private static final ProcessRunner.Tick NO_TICK = ProcessRunner.Tick.NONE;
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  private LocalWorkspace workspace;
  private LocalReleases releases;
  private LocalDatabases databases;
  private Path snapshot;
  private int port;

  @BeforeEach
  void setUp() throws IOException {
    workspace = new LocalWorkspace(home);
    releases = new LocalReleases(workspace, PinnedWrangler.in(workspace.logs()), HTTP, Clock.systemUTC(),
        Duration.ofSeconds(60), TestPorts::freeHelper);
    databases = new LocalDatabases();
    snapshot = ExampleProjects.copy("hello-d1", workspace.snapshots().resolve("v1"));
    Files.writeString(snapshot.resolve("migrations/0003_tags.sql"), "ALTER TABLE notes ADD COLUMN tags TEXT;\n");
    port = TestPorts.free();
  }

  @AfterEach
  void stopTheRelease() {
    releases.stop(SERVICE, ENV);
  }

  @Test
  void aDatabaseCreatedDirectlyIsServedByWranglerDevAndItsWritesAreReadDirectly() throws Exception {
    LocalDatabaseContext db = db(List.of("0001_create_notes.sql", "0002_add_author.sql"));
    assertThat(db.file()).doesNotExist();
    databases.applyMigrations(db, NO_TICK);
    databases.executeBatch(db, "INSERT INTO notes (body, author) VALUES ('written directly', 'ada')", NO_TICK);

    serve();

    JsonNode notes = JSON.readTree(get("/notes").body());
    assertThat(notes).hasSize(1);
    assertThat(notes.get(0).get("body").asText()).isEqualTo("written directly");
    assertThat(post("{\"body\":\"written by the release\"}").statusCode()).isEqualTo(201);
    assertThat(rows(db, "SELECT body FROM notes ORDER BY id")).extracting(r -> r.get("body"))
        .containsExactly("written directly", "written by the release");
  }

  @Test
  void directReadsWritesAndAMigrationBesideWritesThroughTheServingReleaseLoseNothing() throws Exception {
    LocalDatabaseContext before = db(List.of("0001_create_notes.sql", "0002_add_author.sql"));
    databases.applyMigrations(before, NO_TICK);
    serve();
    int rounds = 150;
    Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    List<String> refusals = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger reads = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Future<?> release = pool.submit(() -> {
        start.await();
        for (int i = 0; i < rounds; i++) {
          HttpResponse<String> r = post("{\"body\":\"release " + i + "\"}");
          if (r.statusCode() == 201) {
            acknowledged.add(JSON.readTree(r.body()).get("id").asLong());
          } else {
            refusals.add(r.statusCode() + " " + r.body());
          }
        }
        return null;
      });
      Future<?> direct = pool.submit(() -> {
        start.await();
        for (int i = 0; i < rounds; i++) {
          databases.executeBatch(before, "INSERT INTO notes (body, author) VALUES ('direct " + i + "', 'jvm')",
              NO_TICK);
          if (i == rounds / 2) {
            // a migration lands while the release writes: it waits for the release's write lock, and back
            databases.applyMigrations(db(List.of("0001_create_notes.sql", "0002_add_author.sql",
                "0003_tags.sql")), NO_TICK);
          }
        }
        return null;
      });
      Future<?> reader = pool.submit(() -> {
        start.await();
        while (!direct.isDone() || !release.isDone()) {
          DatabaseState state = databases.inspect(before, NO_TICK);
          assertThat(state.applied()).startsWith("0001_create_notes.sql", "0002_add_author.sql");
          databases.probe(before, "SELECT count(*) AS n FROM notes", NO_TICK);
          reads.incrementAndGet();
        }
        return null;
      });
      start.countDown();
      direct.get(3, TimeUnit.MINUTES);
      release.get(3, TimeUnit.MINUTES);
      reader.get(1, TimeUnit.MINUTES);
    } finally {
      pool.shutdownNow();
    }

    List<Map<String, String>> notes = rows(before, "SELECT id, body, author FROM notes");
    Set<Long> ids = new HashSet<>();
    notes.forEach(n -> ids.add(Long.parseLong(n.get("id"))));
    assertThat(ids).as("every write the release acknowledged is there").containsAll(acknowledged);
    assertThat(notes).filteredOn(n -> "jvm".equals(n.get("author"))).as("every direct write is there")
        .hasSize(rounds);
    assertThat(notes).hasSize(rounds + acknowledged.size());
    assertThat(refusals).as("a release write refused while the file was locked says so (never lost silently)")
        .allSatisfy(r -> assertThat(r).startsWith("500").contains("SQLITE_BUSY"));
    assertThat(rows(before, "PRAGMA integrity_check")).containsExactly(Map.of("integrity_check", "ok"));
    assertThat(databases.inspect(before, NO_TICK).applied()).endsWith("0003_tags.sql");
    assertThat(get("/notes").statusCode()).as("the release reads the migrated table").isEqualTo(200);
    System.out.printf("[concurrency] release: %d acknowledged, %d refused with SQLITE_BUSY; direct: %d writes,"
        + " 1 migration, %d reads%n", acknowledged.size(), refusals.size(), rounds, reads.get());
  }

  @Test
  void aRestoreWhileTheReleaseServesIsWhatTheReleaseReadsAtOnce() throws Exception {
    LocalDatabaseContext db = db(List.of("0001_create_notes.sql", "0002_add_author.sql"));
    databases.applyMigrations(db, NO_TICK);
    serve();
    for (int i = 0; i < 3; i++) {
      assertThat(post("{\"body\":\"before " + i + "\"}").statusCode()).isEqualTo(201);
    }
    String atCheckpoint = get("/notes").body();
    Path point = databases.checkpoint(db, workspace.checkpointsDir(SERVICE, ENV).resolve("run/DB.sqlite"), NO_TICK);
    databases.applyMigrations(db(List.of("0001_create_notes.sql", "0002_add_author.sql", "0003_tags.sql")), NO_TICK);
    for (int i = 0; i < 3; i++) {
      assertThat(post("{\"body\":\"after " + i + "\"}").statusCode()).isEqualTo(201);
    }

    databases.restore(db, point, NO_TICK);

    assertThat(get("/notes").body()).as("the release, not restarted, reads the restored database")
        .isEqualTo(atCheckpoint);
    assertThat(databases.inspect(db, NO_TICK).applied()).doesNotContain("0003_tags.sql");
    assertThat(post("{\"body\":\"after the restore\"}").statusCode()).isEqualTo(201);
    assertThat(rows(db, "SELECT body FROM notes ORDER BY id")).extracting(r -> r.get("body"))
        .containsExactly("before 0", "before 1", "before 2", "after the restore");
  }

  // ---- helpers ----

  private void serve() {
    Path workdir = workspace.workdir(SERVICE, ENV, "v1", snapshot);
    releases.release(SERVICE, ENV, "v1", workdir, port, NO_TICK);
  }

  /** hello-d1's DB binding with the given migrations planned. */
  private LocalDatabaseContext db(List<String> migrations) throws IOException {
    List<MigrationFile> files = new ArrayList<>();
    for (String name : migrations) {
      files.add(new MigrationFile(name, Checksums.sha256(Files.readAllBytes(snapshot.resolve("migrations/" + name)))));
    }
    String id = "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c01";
    return new LocalDatabaseContext(workspace.stateDir(SERVICE, ENV),
        new DatabasePlan("DB", "hello-d1-db", id, "migrations", null, files, id), snapshot.resolve("migrations"));
  }

  private List<Map<String, String>> rows(LocalDatabaseContext db, String sql) {
    return databases.query(db, "", sql, NO_TICK).orElseThrow();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String json) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/notes"))
        .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
