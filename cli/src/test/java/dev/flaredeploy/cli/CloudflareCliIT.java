package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.flaredeploy.testkit.CloudflareApiRecorder;
import dev.flaredeploy.testkit.ExampleProjects;
import dev.flaredeploy.testkit.HistoryText;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged CLI and a {@code dev-server} (with its worker) deploying to Cloudflare, that is to {@link
 * CloudflareApiRecorder} on 127.0.0.1 through {@code CLOUDFLARE_API_BASE_URL}, with the real wrangler. Every
 * command, the dev-server and wrangler's logs have the token in their environment; its value must appear in
 * no output, no status or history (text or JSON, and the history's payloads decoded) and no log. Neither
 * plan nor deploy exports a database.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CloudflareCliIT {
  /** database_id of binding DB in examples/hello-d1/wrangler.toml (top level). */
  private static final String DB_ID = "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c01";
  private static final String TOKEN = "cfut_" + randomHex(20);
  private static final String ACCOUNT = randomHex(16);

  @TempDir static Path home;
  static CloudflareApiRecorder recorder;
  static HttpServer route;
  static CliRunner cli;
  static DevServerProcess devServer;
  static String address;
  /** Everything every command printed, for the token check. */
  static final List<String> printed = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    recorder = CloudflareApiRecorder.start(TOKEN, ACCOUNT).database(DB_ID, "hello-d1-db");
    route = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    route.createContext("/health", exchange -> {
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
    devServer = DevServerProcess.start(cli, home);
    address = devServer.address();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (devServer != null) {
        devServer.close();
      }
      assertThat(printed).isNotEmpty().noneMatch(text -> text.contains(TOKEN));
      assertThat(Files.readString(home.resolve("dev-server.log"))).doesNotContain(TOKEN);
      assertThat(filesUnder(home.resolve("logs"))).as("wrangler logs").noneMatch(text -> text.contains(TOKEN));
    } finally {
      route.stop(0);
      recorder.close();
    }
  }

  @Test
  void deployStatusAndHistoryOfASucceededAndARolledBackRunNeverShowTheToken() throws IOException {
    Path project = project("tokens");
    String id = "deploy:cloudflare:hello-d1:default";
    String untouched = recorder.bookmarkOf(DB_ID);
    CliRunner.Result plan = run("plan", project.toString(), "--target", "cloudflare");
    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(recorder.bookmarkOf(DB_ID)).as("plan wrote nothing").isEqualTo(untouched);

    CliRunner.Result first = run("deploy", project.toString(), "--target", "cloudflare", "--address", address,
        "--output", "json");

    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(first.json().get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(recorder.ledgerOf(DB_ID, "d1_migrations")).containsExactly("0001_create_notes.sql", "0002_add_author.sql");
    assertThat(recorder.callLines()).as("plan and deploy never export a database").noneMatch(l -> l.contains("/export"));
    assertNoTokenInLatestHistory(id);

    // a misbehaving API that quotes the Authorization header in its errors, and a migration D1 rejects
    recorder.echoAuthorizationInErrors().failQuery("CREATE TABLE tags", "near \"TABEL\": syntax error: SQLITE_ERROR");
    Files.writeString(project.resolve("migrations/0003_tags.sql"), "CREATE TABLE tags (name TEXT PRIMARY KEY);\n");
    CliRunner.Result second = run("deploy", project.toString(), "--target", "cloudflare", "--address", address);

    assertThat(second.exitCode()).as(second.toString()).isEqualTo(1);
    assertThat(second.stdout()).contains("ROLLED_BACK", "0003_tags.sql", "Bearer ***");
    assertNoTokenInLatestHistory(id);
    assertThat(run("status", id, "--address", address, "--output", "json").json().get("state").asText())
        .isEqualTo("ROLLED_BACK");
    assertThat(run("status", id, "--address", address).stdout()).contains("restore point");
    CliRunner.Result history = run("history", id, "--address", address, "--output", "json");
    assertThat(history.exitCode()).as(history.toString()).isZero();
    assertThat(history.stdout()).contains("apply-migrations", "restore-database", "Bearer ***");
    assertThat(run("history", id, "--address", address).stdout()).contains("restore-database");
  }

  @Test
  void planNamesTheBindingWithoutDatabaseIdAndPointsAtProvision() throws IOException {
    Path project = project("plan");
    removeDatabaseId(project, DB_ID);

    CliRunner.Result plan = run("plan", project.toString(), "--target", "cloudflare");

    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
    assertThat(plan.stdout()).contains("BLOCKED", "D1 binding DB has no database_id in wrangler.toml",
        "flaredeploy deploy --provision");
  }

  @Test
  void provisionCreatesTheMissingDatabasePrintsTheEntryToAddAndDoesNotDeploy() throws IOException {
    Path project = project("provision");
    removeDatabaseId(project, "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c02"); // [env.staging]
    String before = Files.readString(project.resolve("wrangler.toml"));

    CliRunner.Result result = run("deploy", project.toString(), "--env", "staging", "--target", "cloudflare",
        "--provision", "--address", address);

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
    String created = recorder.databases().entrySet().stream()
        .filter(e -> e.getValue().equals("hello-d1-db-staging")).findFirst().orElseThrow().getKey();
    assertThat(result.stdout()).contains(
        "# D1 binding DB: created database hello-d1-db-staging (" + created + ")",
        "[[env.staging.d1_databases]]\nbinding = \"DB\"\ndatabase_name = \"hello-d1-db-staging\"\n"
            + "database_id = \"" + created + "\"\n");
    assertThat(result.stderr()).contains("the deployment was not started: add the database_id above to "
        + project.resolve("wrangler.toml"));
    assertThat(Files.readString(project.resolve("wrangler.toml"))).isEqualTo(before);
    assertThat(run("status", "deploy:cloudflare:hello-d1:staging", "--address", address).exitCode())
        .as("no deployment was started").isEqualTo(3);
  }

  @Test
  void aUniqueIndexOverDuplicatedRowsIsRefusedByPlanAndDeployWithoutAnExportOrAWrite() throws IOException {
    String dbId = "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3cdd";
    recorder.database(dbId, "hello-d1-dupes");
    Path project = project("dupes");
    Path config = project.resolve("wrangler.toml");
    Files.writeString(config, Files.readString(config).replace("database_id = \"" + DB_ID + "\"",
        "database_id = \"" + dbId + "\""));
    // the database as a first deployment left it, and two notes of the same author written since
    recorder.ledger(dbId, "d1_migrations", List.of("0001_create_notes.sql", "0002_add_author.sql"))
        .schema(dbId, Files.readString(project.resolve("migrations/0001_create_notes.sql"))
            + Files.readString(project.resolve("migrations/0002_add_author.sql"))
            + "INSERT INTO notes (body, author) VALUES ('first private note', 'ada'), ('second private note', 'ada');");
    Files.writeString(project.resolve("migrations/0003_one_note_per_author.sql"),
        "CREATE UNIQUE INDEX notes_one_per_author ON notes(author);\n");
    String untouched = recorder.bookmarkOf(dbId);
    recorder.clearCalls();

    CliRunner.Result plan = run("plan", project.toString(), "--target", "cloudflare");
    CliRunner.Result deploy = run("deploy", project.toString(), "--target", "cloudflare", "--address", address,
        "--output", "json");

    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(2);
    assertThat(plan.stdout()).contains("✗ data", "0003_one_note_per_author.sql",
        "unique index notes_one_per_author on notes(author)", "author = 'ada' (2 rows)").doesNotContain("private note");
    assertThat(deploy.exitCode()).as(deploy.toString()).isEqualTo(2);
    assertThat(deploy.json().at("/error/type").asText()).isEqualTo("DataConflict");
    assertThat(deploy.json().at("/error/message").asText()).contains("0003_one_note_per_author.sql",
        "author = 'ada' (2 rows)").doesNotContain("private note");
    assertThat(recorder.bookmarkOf(dbId)).as("plan and deploy wrote nothing").isEqualTo(untouched);
    assertThat(recorder.callLines()).as("plan and deploy never export a database").noneMatch(l -> l.contains("/export"))
        .anyMatch(l -> l.endsWith(dbId + "/query"));
  }

  // ---- helpers ----

  /**
   * The latest run's history, read from the dev-server with every payload decoded (activity inputs and
   * results, failures, memo, search attributes, heartbeat details), holds no token.
   */
  private static void assertNoTokenInLatestHistory(String workflowId) {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    try {
      String history = WorkflowClient.newInstance(stubs).fetchHistory(workflowId).toJson(true);
      assertThat(HistoryText.payloads(history)).as("decoded payloads").isNotEmpty();
      assertThat(HistoryText.of(history)).as("history of %s, payloads decoded", workflowId).doesNotContain(TOKEN);
    } finally {
      stubs.shutdownNow();
    }
  }

  private static CliRunner.Result run(String... args) {
    CliRunner.Result result = cli.run(args);
    printed.add(result.stdout());
    printed.add(result.stderr());
    return result;
  }

  /** A copy of examples/hello-d1 whose smoke checks go to the stand-in route. */
  private static Path project(String name) throws IOException {
    Path project = ExampleProjects.copy("hello-d1", home.resolve(name));
    Files.writeString(project.resolve("flaredeploy.toml"), """
        [smoke]
        timeout = "5s"
        base_url = "http://127.0.0.1:%d"

        [[smoke.check]]
        path = "/health"
        expect_status = 200
        """.formatted(route.getAddress().getPort()));
    return project;
  }

  private static void removeDatabaseId(Path project, String id) throws IOException {
    Path config = project.resolve("wrangler.toml");
    Files.writeString(config, Files.readString(config).replace("database_id = \"" + id + "\"\n", ""));
  }

  private static List<String> filesUnder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      List<String> texts = new ArrayList<>();
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        texts.add(Files.readString(file));
      }
      return texts;
    }
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    new SecureRandom().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
