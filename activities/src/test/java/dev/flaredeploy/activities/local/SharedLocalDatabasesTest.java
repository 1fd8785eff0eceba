package dev.flaredeploy.activities.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flaredeploy.activities.PlanBuilder;
import dev.flaredeploy.activities.RestoreGuard;
import dev.flaredeploy.activities.TestPorts;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.activities.source.SourceSnapshots;
import dev.flaredeploy.activities.testing.PinnedWrangler;
import dev.flaredeploy.testkit.ExampleProjects;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.RestorePoint;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the local target one database id is one database, shared by every service that binds it: two copies
 * of examples/hello-d1 (services api and admin, the same database_id) on real SQLite files, environments
 * from before databases were shared moving to the shared place, and a restore that would undo another
 * service's migrations refused.
 */
class SharedLocalDatabasesTest {
  private static final Tick NO_TICK = Tick.NONE;
  private static final String ID = "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c01";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path root;
  private LocalWorkspace workspace;
  private LocalReleases releases;
  private LocalTarget target;
  private PlanBuilder plans;
  private Path api;
  private Path admin;

  @BeforeEach
  void setUp() throws IOException {
    workspace = new LocalWorkspace(root.resolve("home"));
    SourceSnapshots sources = new SourceSnapshots(workspace.snapshots(), new ProcessRunner());
    releases = new LocalReleases(workspace, PinnedWrangler.in(workspace.logs()), HTTP, Clock.systemUTC(),
        Duration.ofSeconds(60), TestPorts::freeHelper);
    target = new LocalTarget(workspace, sources, new LocalDatabases(), releases);
    plans = new PlanBuilder(sources, new ProjectConfigLoader());
    api = project("api");
    admin = project("admin");
    Files.writeString(admin.resolve("migrations/0003_audit.sql"), "CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);\n");
  }

  @AfterEach
  void stopReleases() {
    releases.stop("api", "default");
  }

  @Test
  void twoServicesBindingOneDatabaseIdUseOneFileAndSeeEachOthersMigrationsAndRows() {
    DeploymentPlan apiPlan = plan(api);
    target.applyMigrations(apiPlan, db(apiPlan), NO_TICK);
    target.executeBatch(apiPlan, db(apiPlan), "INSERT INTO notes (body) VALUES ('from api')", NO_TICK);
    DeploymentPlan adminPlan = plan(admin);

    assertThat(target.inspect(adminPlan, db(adminPlan), NO_TICK).applied())
        .containsExactly("0001_create_notes.sql", "0002_add_author.sql");
    assertThat(target.applyMigrations(adminPlan, db(adminPlan), NO_TICK))
        .containsExactly("0001_create_notes.sql", "0002_add_author.sql", "0003_audit.sql");
    assertThat(target.inspect(apiPlan, db(apiPlan), NO_TICK).applied()).endsWith("0003_audit.sql");
    assertThat(target.queryTable(adminPlan, db(adminPlan), "notes", "SELECT body FROM notes", NO_TICK))
        .hasValue(List.of(Map.of("body", "from api")));
    Path shared = D1Files.databaseIn(workspace.d1Dir(), ID);
    assertThat(shared).isRegularFile();
    for (String service : List.of("api", "admin")) {
      Path own = D1Files.root(workspace.stateDir(service, "default"));
      assertThat(Files.isSymbolicLink(own)).as(service + "'s state/v3/d1 is a link").isTrue();
      assertThat(D1Files.databaseIn(own, ID)).as("the same file through the link").isRegularFile()
          .satisfies(p -> assertThat(p.toRealPath()).isEqualTo(shared.toRealPath()));
    }
    assertThat(new SharedD1(workspace).usages(ID)).extracting(SharedD1.Usage::service)
        .containsExactly("admin", "api");
  }

  @Test
  void anEnvironmentFromBeforeReadsItsOwnDatabaseUntilItsFirstWriteMovesItWhole() throws IOException {
    DeploymentPlan apiPlan = plan(api);
    LocalDatabaseContext own = new LocalDatabaseContext(workspace.stateDir("api", "default"), db(apiPlan), ID,
        sourceMigrations(apiPlan));
    LocalDatabases databases = new LocalDatabases();
    databases.applyMigrations(own, NO_TICK);
    databases.executeBatch(own, "INSERT INTO notes (body) VALUES ('kept from before')", NO_TICK);

    assertThat(target.inspect(apiPlan, db(apiPlan), NO_TICK).applied()).hasSize(2);
    assertThat(workspace.d1Dir()).as("a read moves nothing").doesNotExist();

    List<RestorePoint> points = target.checkpoint(apiPlan, "run-1", NO_TICK);

    Path shared = D1Files.databaseIn(workspace.d1Dir(), ID);
    assertThat(Files.isSymbolicLink(D1Files.root(workspace.stateDir("api", "default")))).isTrue();
    assertThat(own.file().toRealPath()).isEqualTo(shared.toRealPath());
    assertThat(target.queryTable(apiPlan, db(apiPlan), "notes", "SELECT body FROM notes", NO_TICK))
        .hasValue(List.of(Map.of("body", "kept from before")));
    assertThat(target.restore(apiPlan, points.get(0), NO_TICK)).startsWith("restored DB");
  }

  @Test
  void aDatabaseInBothPlacesThatDiffersIsRefusedNamingBothFilesAndNeitherChanges() throws IOException {
    DeploymentPlan apiPlan = plan(api);
    target.applyMigrations(apiPlan, db(apiPlan), NO_TICK); // the shared database
    DeploymentPlan adminPlan = plan(admin);
    LocalDatabaseContext adminOwn = new LocalDatabaseContext(workspace.stateDir("admin", "default"), db(adminPlan),
        ID, sourceMigrations(adminPlan));
    new LocalDatabases().applyMigrations(adminOwn, NO_TICK); // admin's own, from before: one migration more
    Path shared = D1Files.databaseIn(workspace.d1Dir(), ID);
    String sharedBefore = Checksums.sha256(Files.readAllBytes(shared));
    String ownBefore = Checksums.sha256(Files.readAllBytes(adminOwn.file()));

    assertThatThrownBy(() -> target.inspect(adminPlan, db(adminPlan), NO_TICK))
        .isInstanceOf(LocalDatabaseConflictException.class)
        .hasMessageContaining(adminOwn.file().toString()).hasMessageContaining(shared.toString())
        .hasMessageContaining("the two differ");
    assertThatThrownBy(() -> target.checkpoint(adminPlan, "run-1", NO_TICK))
        .isInstanceOf(LocalDatabaseConflictException.class);

    assertThat(Checksums.sha256(Files.readAllBytes(shared))).isEqualTo(sharedBefore);
    assertThat(Checksums.sha256(Files.readAllBytes(adminOwn.file()))).isEqualTo(ownBefore);
    assertThat(Files.isSymbolicLink(D1Files.root(workspace.stateDir("admin", "default")))).isFalse();
  }

  @Test
  void aDatabaseInBothPlacesThatIsTheSameMovesWithoutAQuestion() throws IOException {
    DeploymentPlan apiPlan = plan(api);
    target.applyMigrations(apiPlan, db(apiPlan), NO_TICK);
    Path adminOwn = D1Files.database(workspace.stateDir("admin", "default"), ID);
    Files.createDirectories(adminOwn.getParent());
    Files.copy(D1Files.databaseIn(workspace.d1Dir(), ID), adminOwn);
    DeploymentPlan adminPlan = plan(admin);

    target.checkpoint(adminPlan, "run-1", NO_TICK);

    assertThat(Files.isSymbolicLink(D1Files.root(workspace.stateDir("admin", "default")))).isTrue();
    assertThat(target.inspect(adminPlan, db(adminPlan), NO_TICK).applied()).hasSize(2);
  }

  @Test
  void aBindingWithoutDatabaseIdIsNotSharedWithAnotherServiceUnasked() throws IOException {
    for (Path project : List.of(api, admin)) {
      Path config = project.resolve("wrangler.toml");
      Files.writeString(config, Files.readString(config).replace("database_id = \"" + ID + "\"\n", ""));
    }
    DeploymentPlan apiPlan = plan(api);
    target.applyMigrations(apiPlan, db(apiPlan), NO_TICK);
    DeploymentPlan adminPlan = plan(admin);

    assertThatThrownBy(() -> target.inspect(adminPlan, db(adminPlan), NO_TICK))
        .isInstanceOf(LocalDatabaseConflictException.class)
        .hasMessageContaining("D1 binding DB of admin (default) has no database_id")
        .hasMessageContaining("api (default) already has a local database of that name");
    assertThatThrownBy(() -> target.applyMigrations(adminPlan, db(adminPlan), NO_TICK))
        .isInstanceOf(LocalDatabaseConflictException.class);
    assertThat(target.inspect(apiPlan, db(apiPlan), NO_TICK).applied()).hasSize(2);
  }

  @Test
  void aRestoreThatWouldUndoAnotherServicesMigrationIsRefusedAndChangesNothing() {
    DeploymentPlan apiPlan = plan(api);
    RestorePoint point = RestoreGuard.withLedgers(target, apiPlan,
        target.checkpoint(apiPlan, "run-1", NO_TICK), NO_TICK).get(0);
    List<String> applied = target.applyMigrations(apiPlan, db(apiPlan), NO_TICK);
    RestorePoint afterApply = point.afterApply(applied);
    RestoreGuard.check(target, apiPlan, afterApply, NO_TICK); // nothing foreign yet: a restore may go ahead
    DeploymentPlan adminPlan = plan(admin);
    target.applyMigrations(adminPlan, db(adminPlan), NO_TICK);

    assertThatThrownBy(() -> RestoreGuard.check(target, apiPlan, afterApply, NO_TICK))
        .isInstanceOf(RestoreGuard.RestoreRefusedException.class)
        .hasMessageContaining("0003_audit.sql applied after it, not by this deployment")
        .hasMessageContaining("nothing was restored")
        .hasMessageContaining("this deployment's migrations (0001_create_notes.sql, 0002_add_author.sql)")
        .hasMessageContaining(point.location());
    assertThat(target.inspect(adminPlan, db(adminPlan), NO_TICK).applied()).endsWith("0003_audit.sql");
  }

  /** The danger a move must avoid: wrangler dev holding the old files open. It is stopped and started again. */
  @Test
  void anEnvironmentWhoseReleaseServesItsOwnDatabaseMovesWithTheReleaseRestartedAndNothingLost() throws Exception {
    DeploymentPlan apiPlan = plan(api);
    LocalDatabaseContext own = new LocalDatabaseContext(workspace.stateDir("api", "default"), db(apiPlan), ID,
        sourceMigrations(apiPlan));
    new LocalDatabases().applyMigrations(own, NO_TICK);
    int port = TestPorts.free();
    Path snapshot = Path.of(apiPlan.source().path());
    Path workdir = workspace.workdir("api", "default", "v1", snapshot);
    RunningRelease first = releases.release("api", "default", "v1", workdir, port, NO_TICK);
    assertThat(post(port, "before the move").statusCode()).isEqualTo(201);

    target.checkpoint(apiPlan, "run-1", NO_TICK); // the first write: moves the database

    RunningRelease now = releases.live("api", "default").orElseThrow();
    assertThat(now.pid()).as("started again").isNotEqualTo(first.pid());
    assertThat(now.version()).isEqualTo("v1");
    assertThat(post(port, "after the move").statusCode()).isEqualTo(201);
    assertThat(target.queryTable(apiPlan, db(apiPlan), "notes", "SELECT body FROM notes ORDER BY id", NO_TICK))
        .hasValue(List.of(Map.of("body", "before the move"), Map.of("body", "after the move")));
    assertThat(Files.isSymbolicLink(D1Files.root(workspace.stateDir("api", "default")))).isTrue();
    assertThat(new ObjectMapper().readTree(get(port, "/notes")).size()).isEqualTo(2);
  }

  // ---- helpers ----

  private Path project(String service) throws IOException {
    Path dir = ExampleProjects.copy("hello-d1", root.resolve("projects").resolve(service));
    Path config = dir.resolve("wrangler.toml");
    Files.writeString(config, Files.readString(config).replace("name = \"hello-d1\"", "name = \"" + service + "\""));
    return dir;
  }

  private DeploymentPlan plan(Path project) {
    String service = project.getFileName().toString();
    return plans.plan(new DeploymentRequest(project.toString(), "default", "local", service, null, "test", false,
        List.of()), 1);
  }

  private static DatabasePlan db(DeploymentPlan plan) {
    return plan.databases().get(0);
  }

  private static Path sourceMigrations(DeploymentPlan plan) {
    return Path.of(plan.source().path()).resolve("migrations");
  }

  private static HttpResponse<String> post(int port, String body) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/notes"))
        .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"body\":\"" + body + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String get(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }
}
