package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.testkit.CloudflareApiRecorder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.flaredeploy.activities.DatabaseState;
import dev.flaredeploy.activities.DeploymentActivitiesImpl;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.smoke.SmokeChecker;
import dev.flaredeploy.activities.source.SourceSnapshots;
import dev.flaredeploy.testkit.ExampleProjects;
import dev.flaredeploy.workflows.DeploymentAttributes;
import dev.flaredeploy.workflows.DeploymentIds;
import dev.flaredeploy.workflows.DeploymentWorkflow;
import dev.flaredeploy.workflows.DeploymentWorkflowImpl;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
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
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on the Cloudflare target: the real workflow on Temporal's test server, the real
 * activities and {@link CloudflareTarget} driving the pinned wrangler against {@link CloudflareApiRecorder},
 * and smoke checks sent to {@code [smoke] base_url} (a server on 127.0.0.1 standing in for the Worker's
 * route). After every test, the token is in no run's history, memo report or wrangler log.
 */
class CloudflarePipelineTest {
  private static final String WORKER = CloudflarePipeline.WORKER;
  private static final String DB_ID = CloudflarePipeline.DB_ID;
  private static final String M1 = "0001_create_notes.sql";
  private static final String M2 = "0002_add_author.sql";

  @TempDir Path home;

  private volatile int healthStatus = 200;
  private CloudflarePipeline pipeline;
  private CloudflareApiRecorder recorder;
  private Path project;

  @BeforeEach
  void setUp() throws IOException {
    pipeline = new CloudflarePipeline(home, header -> healthStatus);
    recorder = pipeline.recorder;
    project = pipeline.project;
  }

  @AfterEach
  void tearDown() throws IOException {
    pipeline.close(); // asserts the token is in no history, memo report or wrangler log
  }

  @Test
  void firstDeployAppliesTheMigrationsAndPutsTheReleaseAtFullTrafficWithoutExportingTheDatabase()
      throws IOException {
    DeploymentReport report = pipeline.deploy();

    assertThat(report.state()).as(report.summary()).isEqualTo("SUCCEEDED");
    assertThat(report.warnings()).as("the release is in the journal, nothing left undone on the side").isNullOrEmpty();
    assertThat(recorder.ledgerOf(DB_ID, "d1_migrations")).containsExactly(M1, M2);
    assertThat(recorder.checksumsOf(DB_ID)).isEqualTo(Map.of(M1, fileSha256(M1), M2, fileSha256(M2)));
    String live = CloudflarePipeline.single(recorder.liveSplit(WORKER));
    assertThat(recorder.liveSplit(WORKER)).containsExactly(Map.entry(live, 100.0));
    assertThat(recorder.tagOf(WORKER, live)).isEqualTo(report.source());
    String a = "/accounts/" + pipeline.account;
    String db = a + "/d1/database/" + DB_ID;
    String script = a + "/workers/scripts/" + WORKER;
    assertThat(recorder.callLines()).containsExactlyInAnyOrder(
        // validate-schema: the database's info (preflight), its ledger, checksums and schema in one read (the
        // ledger does not exist yet: the schema alone, again), what serves
        "GET " + db, "POST " + db + "/query", "POST " + db + "/query",
        "GET " + script + "/deployments",
        // checkpoint: the bookmark, and what serves beside it; the ledger the bookmark has (for a later restore)
        "GET " + db + "/time_travel/bookmark", "GET " + script + "/deployments", "POST " + db + "/query",
        // apply-migrations: look, then each file with its ledger and checksum rows
        "POST " + db + "/query", "POST " + db + "/query", "POST " + db + "/query",
        // deploy-worker: what serves, then one `wrangler deploy` creating the Worker
        "GET " + script + "/deployments",
        "GET " + a + "/workers/services/" + WORKER, "GET " + script + "/deployments", "GET " + script + "/settings",
        "PUT " + script + "?excludeScript=true&bindings_inherit=strict", "PATCH " + script + "/script-settings",
        "GET " + a + "/workers/subdomain", "GET " + script + "/subdomain", "POST " + script + "/subdomain",
        // the release journal records which version is live now
        "GET " + script + "/deployments");
    assertThat(recorder.callLines()).noneMatch(line -> line.contains("/export")); // D1 stays available
    assertThat(recorder.unexpectedCalls()).isEmpty();
  }

  @Test
  void aRateLimitedBookmarkIsRetriedInsideTheStepAndTheDeploymentSucceeds() {
    recorder.failNext("/time_travel/bookmark", 429, 1, 1);

    DeploymentReport report = pipeline.deploy();

    assertThat(report.state()).as(report.summary()).isEqualTo("SUCCEEDED");
    assertThat(recorder.calls()).filteredOn(c -> c.path().endsWith("/time_travel/bookmark"))
        .extracting(CloudflareApiRecorder.Call::status).containsExactly(429, 200);
  }

  @Test
  void aTokenThatMayNotReadTheDatabaseStopsTheDeploymentBeforeAnythingChanges() {
    recorder.failNext("/d1/database/" + DB_ID, 403);

    DeploymentReport report = pipeline.deployExpectingFailure();

    assertThat(report.state()).as(report.summary()).isEqualTo("FAILED");
    assertThat(report.error().step()).isEqualTo("validate-schema");
    assertThat(report.error().type()).isEqualTo(FailureTypes.PREFLIGHT_FAILED);
    assertThat(report.error().message()).contains("D1 binding DB: Cloudflare refused to read database " + DB_ID,
        "D1:Edit");
    assertThat(recorder.callLines()).containsExactly("GET /accounts/" + pipeline.account + "/d1/database/" + DB_ID);
    assertThat(recorder.liveSplit(WORKER)).isEmpty();
  }

  @Test
  void redeployOfTheSameSourceHasNothingToDo() {
    pipeline.deploy();
    String live = CloudflarePipeline.single(recorder.liveSplit(WORKER));
    recorder.clearCalls();

    DeploymentReport again = pipeline.deploy();

    assertThat(again.state()).isEqualTo("SUCCEEDED");
    assertThat(again.summary()).startsWith("nothing to do");
    assertThat(recorder.liveSplit(WORKER)).containsExactly(Map.entry(live, 100.0));
    assertThat(recorder.callLines()).noneMatch(line -> line.startsWith("POST") && line.contains("/deployments"))
        .noneMatch(line -> line.startsWith("POST") && line.contains("/versions"))
        .noneMatch(line -> line.startsWith("PUT"));
  }

  @Test
  void anAppliedMigrationEditedAfterwardsBlocksTheNextDeploymentBeforeAnythingChanges() throws IOException {
    pipeline.deploy();
    String live = CloudflarePipeline.single(recorder.liveSplit(WORKER));
    Map<String, String> recorded = recorder.checksumsOf(DB_ID);
    Path m1 = project.resolve("migrations/" + M1);
    Files.writeString(m1, Files.readString(m1).replace("body TEXT NOT NULL", "body TEXT"));
    recorder.clearCalls();

    DeploymentReport report = pipeline.deployExpectingFailure();

    assertThat(report.state()).as(report.summary()).isEqualTo("FAILED");
    assertThat(report.error().step()).isEqualTo("validate-schema");
    assertThat(report.error().type()).isEqualTo(FailureTypes.MIGRATION_UNSAFE);
    assertThat(report.error().message()).contains("DB " + M1 + " was edited after it was applied",
        recorded.get(M1).substring(0, 12), "flaredeploy migrations accept", "--target cloudflare");
    assertThat(recorder.checksumsOf(DB_ID)).isEqualTo(recorded);
    assertThat(recorder.liveSplit(WORKER)).containsExactly(Map.entry(live, 100.0));
    // validate-schema read the ledger, the checksums and the schema (one /query) and wrote nothing
    assertThat(recorder.calls()).filteredOn(c -> c.path().endsWith("/query"))
        .extracting(c -> c.json().path("sql").asText())
        .singleElement().asString()
        .contains("FROM \"d1_migrations\"", "FROM flaredeploy_migration_checksums", DatabaseState.SCHEMA_QUERY)
        .doesNotContain("INSERT", "UPDATE", "CREATE");
  }

  @Test
  void failingSmokeTestRollsBackToThePreviousVersion() throws IOException {
    pipeline.deploy();
    String previous = CloudflarePipeline.single(recorder.liveSplit(WORKER));
    Path index = project.resolve("src/index.js");
    Files.writeString(index, Files.readString(index) + "\n// a new release\n");
    healthStatus = 503;

    DeploymentReport report = pipeline.deployExpectingFailure();

    assertThat(report.state()).as(report.summary()).isEqualTo("ROLLED_BACK");
    assertThat(report.error().type()).isEqualTo(FailureTypes.SMOKE_TEST_FAILED);
    assertThat(report.error().message()).contains("503");
    assertThat(recorder.liveSplit(WORKER)).containsExactly(Map.entry(previous, 100.0));
    assertThat(recorder.ledgerOf(DB_ID, "d1_migrations")).containsExactly(M1, M2);
  }

  @Test
  void aMigrationThatFailsOnD1RestoresTheRecordedBookmarkAndLeavesTheReleaseAlone() throws IOException {
    pipeline.deploy();
    String live = CloudflarePipeline.single(recorder.liveSplit(WORKER));
    String bookmarkBefore = recorder.bookmarkOf(DB_ID);
    // valid SQLite (the shadow check passes it), refused by D1 when applied
    Files.writeString(project.resolve("migrations/0003_tags.sql"), "ALTER TABLE notes ADD COLUMN tags TEXT;\n");
    recorder.failQuery("ADD COLUMN tags", "D1_ERROR: database is overloaded: SQLITE_BUSY");
    recorder.clearCalls();

    DeploymentReport report = pipeline.deployExpectingFailure();

    assertThat(report.state()).as(report.summary()).isEqualTo("ROLLED_BACK");
    assertThat(report.error().step()).isEqualTo("apply-migrations");
    assertThat(report.error().type()).isEqualTo(FailureTypes.MIGRATION_FAILED);
    assertThat(report.error().message()).contains("0003_tags.sql", "SQLITE_BUSY");
    assertThat(report.databases()).singleElement().satisfies(db ->
        assertThat(db.checkpoint()).isEqualTo(bookmarkBefore));
    assertThat(recorder.callLines()).filteredOn(line -> line.contains("/time_travel/restore"))
        .containsExactly("POST /accounts/" + pipeline.account + "/d1/database/" + DB_ID
            + "/time_travel/restore?bookmark=" + bookmarkBefore);
    assertThat(recorder.ledgerOf(DB_ID, "d1_migrations")).containsExactly(M1, M2);
    assertThat(recorder.liveSplit(WORKER)).as("the release was never touched").containsExactly(Map.entry(live, 100.0));
  }

  @Test
  void bindingWithoutDatabaseIdStopsAtValidateSchemaBeforeCloudflareIsCalled() throws IOException {
    Path config = project.resolve("wrangler.toml");
    Files.writeString(config, Files.readString(config).replace("database_id = \"" + DB_ID + "\"\n", ""));

    DeploymentReport report = pipeline.deployExpectingFailure();

    assertThat(report.state()).isEqualTo("FAILED");
    assertThat(report.error().step()).isEqualTo("validate-schema");
    assertThat(report.error().type()).isEqualTo(FailureTypes.PREFLIGHT_FAILED);
    assertThat(report.error().message())
        .contains("D1 binding DB has no database_id in wrangler.toml", "flaredeploy deploy --provision");
    assertThat(recorder.calls()).isEmpty();
  }

  @Test
  void checkpointExportIsKeptUnderTheHomeAndTheReportSaysWhere() throws IOException {
    Path toml = project.resolve("flaredeploy.toml");
    Files.writeString(toml, Files.readString(toml) + "\n[checkpoint]\nexport = true\n");

    DeploymentReport report = pipeline.deploy();

    assertThat(report.state()).as(report.summary()).isEqualTo("SUCCEEDED");
    String export = report.databases().get(0).export();
    assertThat(Path.of(export)).startsWith(home.resolve("cloudflare/hello-d1/default/checkpoints"))
        .hasFileName("DB.sql").isRegularFile();
    assertThat(report.databases().get(0).checkpoint()).doesNotContain("/"); // the bookmark stays the restore point
    // the one data export: the one asked for, kept with the checkpoint (started, then polled); none to validate
    assertThat(recorder.callLines()).filteredOn(line -> line.endsWith("/export")).hasSize(2);
  }

  // ---- helpers ----

  private String fileSha256(String migration) throws IOException {
    return dev.flaredeploy.activities.safety.Checksums.sha256(
        Files.readAllBytes(project.resolve("migrations").resolve(migration)));
  }
}
