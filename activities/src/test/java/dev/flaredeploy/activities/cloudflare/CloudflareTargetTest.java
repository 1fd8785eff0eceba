package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.activities.testing.PinnedWrangler;
import dev.flaredeploy.testkit.CloudflareApiRecorder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flaredeploy.activities.DatabaseState;
import dev.flaredeploy.activities.PreflightReport;
import dev.flaredeploy.activities.gate.Gate;
import dev.flaredeploy.testkit.CloudflareApiRecorder.Call;
import dev.flaredeploy.activities.ChecksumLedger;
import dev.flaredeploy.activities.config.LoadedProject;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.local.MigrationFailedException;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.activities.source.SourceSnapshots;
import dev.flaredeploy.testkit.ExampleProjects;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.CheckFinding;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.ChecksumProblem;
import dev.flaredeploy.workflows.model.CloudflareSettings;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.RestorePoint;
import dev.flaredeploy.workflows.model.SchemaReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contract tests: {@link CloudflareTarget} calls Cloudflare's API directly and drives the real, pinned
 * wrangler for what it still runs, both against {@link CloudflareApiRecorder} (whose D1 databases are real
 * SQLite), and each test asserts the exact HTTP calls made (method, path, the SQL sent to D1's {@code
 * /query}, the traffic split sent to {@code /deployments}). A call that reaches the wrong database or Worker,
 * or an argv wrangler rejects, fails here. About 1 s per wrangler command; API calls take milliseconds.
 */
class CloudflareTargetTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WORKER = "hello-d1";
  /** database_id of binding DB in examples/hello-d1/wrangler.toml (top level). */
  private static final String DB_ID = "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c01";
  private static final String LEDGER = "d1_migrations";
  private static final String M1 = "0001_create_notes.sql";
  private static final String M2 = "0002_add_author.sql";
  private static final Tick NO_TICK = Tick.NONE;
  private static final String CREATE_CHECKSUMS = "CREATE TABLE IF NOT EXISTS flaredeploy_migration_checksums(name"
      + " TEXT PRIMARY KEY, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,"
      + " accepted_reason TEXT, accepted_by TEXT, accepted_at TEXT);";

  @TempDir Path home;

  private final String token = "cfut_" + randomHex(20);
  private final String account = randomHex(16);
  private CloudflareApiRecorder recorder;
  private SourceSnapshots sources;
  private CloudflareTarget target;
  /** Every string the target returned and every exception message it threw, for the token check. */
  private final List<String> seen = new ArrayList<>();

  private String a;
  private String db;
  private String script;

  @BeforeEach
  void setUp() {
    recorder = CloudflareApiRecorder.start(token, account).database(DB_ID, "hello-d1-db");
    sources = new SourceSnapshots(home.resolve("snapshots"), new ProcessRunner());
    target = new CloudflareTarget(PinnedWrangler.in(logDir()), sources, Map.of(
        CloudflareCredentials.TOKEN, token,
        CloudflareCredentials.ACCOUNT_ID, account,
        CloudflareCredentials.API_BASE_URL, recorder.baseUrl(),
        "FLAREDEPLOY_HOME", home.toString()));
    a = "/accounts/" + account;
    db = a + "/d1/database/" + DB_ID;
    script = a + "/workers/scripts/" + WORKER;
  }

  @AfterEach
  void tearDown() throws IOException {
    recorder.close();
    assertThat(seen).noneMatch(s -> s != null && s.contains(token));
    assertThat(logFilesContaining(token)).isEmpty();
  }

  @Test
  void firstDeployAppliesBothMigrationsThenCreatesTheWorkerAtFullTraffic() {
    DeploymentPlan plan = plan(Map.of());

    List<DatabaseStatus> before = observe(() -> ledgers(target, plan));
    assertThat(before).containsExactly(new DatabaseStatus("DB", List.of(), List.of(M1, M2)));
    assertThat(recorder.callLines()).containsExactly("POST " + db + "/query", "POST " + db + "/query");
    assertThat(sqlSent()).containsExactly( // no ledger yet: the schema alone, again
        "SELECT name FROM \"d1_migrations\" ORDER BY id; " + Checksums.SELECT + " " + DatabaseState.SCHEMA_QUERY,
        DatabaseState.SCHEMA_QUERY);

    recorder.clearCalls();
    assertThat(target.liveRelease(plan)).isEmpty();
    assertThat(recorder.callLines()).containsExactly("GET " + script + "/deployments");

    recorder.clearCalls();
    List<RestorePoint> points = observe(() -> target.checkpoint(plan, "run-1", NO_TICK));
    assertThat(points).containsExactly(new RestorePoint("DB", recorder.bookmarkOf(DB_ID)));
    assertThat(recorder.callLines()).containsExactly("GET " + db + "/time_travel/bookmark");

    recorder.clearCalls();
    // what the apply-migrations step runs: each file with its ledger row and its checksum row, one /query each
    List<String> ledger = observe(() -> ChecksumLedger.applyAndRecord(target, plan, plan.databases().get(0), NO_TICK));
    assertThat(ledger).containsExactly(M1, M2);
    assertThat(recorder.checksumsOf(DB_ID)).isEqualTo(Map.of(M1, sha256(plan, M1), M2, sha256(plan, M2)));
    assertThat(recorder.ledgerOf(DB_ID, LEDGER)).containsExactly(M1, M2);
    assertThat(recorder.rows(DB_ID, "SELECT name FROM sqlite_master WHERE name = 'notes_by_author'")).hasSize(1);
    assertThat(recorder.callLines()).containsExactly(
        "POST " + db + "/query", "POST " + db + "/query", "POST " + db + "/query");
    assertThat(sqlSent()).containsExactly(
        "CREATE TABLE IF NOT EXISTS d1_migrations( id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,"
            + " applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL ); " + CREATE_CHECKSUMS
            + " SELECT name FROM \"d1_migrations\" ORDER BY id; SELECT name FROM flaredeploy_migration_checksums"
            + " ORDER BY name;",
        "-- Notes, the one table of hello-d1. CREATE TABLE notes ( id INTEGER PRIMARY KEY AUTOINCREMENT,"
            + " body TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP );"
            + " INSERT INTO d1_migrations (name) values ('0001_create_notes.sql'); " + CREATE_CHECKSUMS
            + " INSERT OR IGNORE INTO flaredeploy_migration_checksums(name, sha256) VALUES('0001_create_notes.sql', '"
            + sha256(plan, M1) + "');",
        "-- Additive change: old code that does not know the column keeps working."
            + " ALTER TABLE notes ADD COLUMN author TEXT; CREATE INDEX notes_by_author ON notes (author);"
            + " INSERT INTO d1_migrations (name) values ('0002_add_author.sql'); " + CREATE_CHECKSUMS
            + " INSERT OR IGNORE INTO flaredeploy_migration_checksums(name, sha256) VALUES('0002_add_author.sql', '"
            + sha256(plan, M2) + "');");

    recorder.clearCalls();
    String url = observe(() -> target.release(plan, NO_TICK));
    assertThat(url).isEqualTo("https://" + WORKER + "." + recorder.subdomain() + ".workers.dev");
    // no Worker yet (read directly): `wrangler deploy` creates it (PUT, at 100 %)
    assertThat(recorder.callLines()).containsExactly(
        "GET " + script + "/deployments",
        "GET " + a + "/workers/services/" + WORKER,
        "GET " + script + "/deployments",
        "GET " + script + "/settings",
        "PUT " + script + "?excludeScript=true&bindings_inherit=strict",
        "PATCH " + script + "/script-settings",
        "GET " + a + "/workers/subdomain",
        "GET " + script + "/subdomain",
        "POST " + script + "/subdomain");
    assertThat(callTo("PUT", script).body()).contains("\"workers/tag\":\"" + plan.source().id() + "\"");
    String live = single(recorder.liveSplit(WORKER));
    assertThat(recorder.liveSplit(WORKER)).containsExactly(Map.entry(live, 100.0));
    assertThat(recorder.tagOf(WORKER, live)).isEqualTo(plan.source().id());
    assertThat(recorder.unexpectedCalls()).isEmpty();
  }

  @Test
  void checksumsAreReadWithOneQueryAndAcceptedWithAnother() {
    DeploymentPlan plan = plan(Map.of());
    DatabasePlan database = plan.databases().get(0);

    assertThat(observe(() -> ChecksumLedger.recorded(target, plan, database, NO_TICK))).isEmpty(); // no table yet
    recorder.ledger(DB_ID, LEDGER, List.of(M1, M2));
    observe(() -> ChecksumLedger.applyAndRecord(target, plan, database, NO_TICK)); // nothing pending: records only
    recorder.clearCalls();

    var recorded = observe(() -> ChecksumLedger.recorded(target, plan, database, NO_TICK));

    assertThat(recorded.keySet()).containsExactly(M1, M2);
    assertThat(recorded.get(M1).sha256()).isEqualTo(sha256(plan, M1));
    assertThat(recorder.callLines()).containsExactly("POST " + db + "/query");
    assertThat(sqlSent()).containsExactly("SELECT name, sha256, applied_at, accepted_reason, accepted_by, accepted_at"
        + " FROM flaredeploy_migration_checksums ORDER BY name;");

    recorder.clearCalls();
    observe(() -> {
      ChecksumLedger.accept(target, plan, database, new ChecksumProblem("DB", M2, ChecksumProblem.VANISHED,
          sha256(plan, M2), null, null, "gone"), "squashed into 0001", "ada@box", NO_TICK);
      return null;
    });

    assertThat(recorder.checksumsOf(DB_ID)).containsEntry(M2, "vanished");
    assertThat(sqlSent()).containsExactly("CREATE TABLE IF NOT EXISTS flaredeploy_migration_checksums(name TEXT"
        + " PRIMARY KEY, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, accepted_reason"
        + " TEXT, accepted_by TEXT, accepted_at TEXT); INSERT INTO flaredeploy_migration_checksums(name, sha256,"
        + " accepted_reason, accepted_by, accepted_at) VALUES('0002_add_author.sql', 'vanished', 'squashed into 0001',"
        + " 'ada@box', CURRENT_TIMESTAMP) ON CONFLICT(name) DO UPDATE SET sha256 = excluded.sha256, accepted_reason ="
        + " excluded.accepted_reason, accepted_by = excluded.accepted_by, accepted_at = excluded.accepted_at;");
    assertThat(recorder.unexpectedCalls()).isEmpty();
  }

  @Test
  void releaseOfANewSourceIsOneWranglerDeployThatPutsItAtFullTraffic() {
    DeploymentPlan plan = plan(Map.of());
    String old = recorder.deployed(WORKER, "an-older-source");

    String url = observe(() -> target.release(plan, NO_TICK));

    String uploaded = recorder.liveSplit(WORKER).keySet().iterator().next();
    assertThat(uploaded).isNotEqualTo(old);
    assertThat(recorder.liveSplit(WORKER)).containsExactly(Map.entry(uploaded, 100.0));
    assertThat(recorder.tagOf(WORKER, uploaded)).isEqualTo(plan.source().id());
    assertThat(url).isEqualTo("https://" + WORKER + "." + recorder.subdomain() + ".workers.dev");
    assertThat(recorder.callLines()).containsExactly(
        "GET " + script + "/deployments", // what serves (read directly)
        "GET " + script + "/versions?deployable=true", // no version tagged with the source yet (read directly)
        "GET " + a + "/workers/services/" + WORKER, // wrangler deploy --tag <source id>
        "GET " + script + "/deployments",
        "GET " + script + "/settings",
        "POST " + script + "/versions?bindings_inherit=strict",
        "POST " + script + "/deployments",
        "PATCH " + script + "/script-settings",
        "GET " + a + "/workers/subdomain",
        "GET " + script + "/subdomain",
        "POST " + script + "/subdomain");
    assertThat(callTo("POST", script + "/versions").body())
        .contains("\"workers/tag\":\"" + plan.source().id() + "\"");
    assertThat(callTo("POST", script + "/deployments").json().path("versions")).isEqualTo(json(
        "[{\"version_id\":\"" + uploaded + "\",\"percentage\":100}]"));
    assertThat(recorder.unexpectedCalls()).isEmpty();
  }

  @Test
  void retriedReleaseDeploysTheVersionItsFirstAttemptUploadedWithoutUploadingAgain() {
    DeploymentPlan plan = plan(Map.of());
    recorder.deployed(WORKER, "an-older-source");
    String uploadedBefore = recorder.uploaded(WORKER, plan.source().id());

    observe(() -> target.release(plan, NO_TICK));

    assertThat(recorder.liveSplit(WORKER)).containsExactly(Map.entry(uploadedBefore, 100.0));
    assertThat(recorder.callLines())
        .noneMatch(line -> line.startsWith("POST " + script + "/versions"))
        .contains("POST " + script + "/deployments");
  }

  @Test
  void nothingPendingAndOurTagLiveChangesNothing() {
    DeploymentPlan plan = plan(Map.of());
    recorder.ledger(DB_ID, LEDGER, List.of(M1, M2));
    String ours = recorder.deployed(WORKER, plan.source().id());

    assertThat(observe(() -> ledgers(target, plan)))
        .containsExactly(new DatabaseStatus("DB", List.of(M1, M2), List.of()));
    assertThat(target.liveRelease(plan)).contains(ours);
    assertThat(target.liveSource(plan, NO_TICK)).contains(plan.source().id());
    assertThat(observe(() -> target.applyMigrations(plan, plan.databases().get(0), NO_TICK)))
        .containsExactly(M1, M2);
    recorder.clearCalls();
    String url = observe(() -> target.release(plan, NO_TICK));

    assertThat(recorder.callLines()).containsExactly(
        "GET " + script + "/deployments", "GET " + script + "/versions?deployable=true");
    // wrangler reports no URL when nothing is uploaded or deployed: the fallback until [smoke] base_url
    assertThat(url).isEqualTo("https://hello-d1.workers.dev");
    assertThat(recorder.liveSplit(WORKER)).containsExactly(Map.entry(ours, 100.0));
  }

  @Test
  void namedEnvironmentReachesItsOwnDatabaseAndWorker() {
    String stagingDb = "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c02"; // [[env.staging.d1_databases]] DB
    recorder.database(stagingDb, "hello-d1-db-staging").ledger(stagingDb, LEDGER, List.of(M1));
    DeploymentPlan plan = plan(Map.of(), "staging");

    assertThat(observe(() -> ledgers(target, plan)))
        .containsExactly(new DatabaseStatus("DB", List.of(M1), List.of(M2)));
    assertThat(target.liveRelease(plan)).isEmpty();

    assertThat(recorder.callLines()).containsExactly(
        "POST " + a + "/d1/database/" + stagingDb + "/query",
        "POST " + a + "/d1/database/" + stagingDb + "/query", // no checksum table yet: read again without it
        "GET " + a + "/workers/scripts/hello-d1-staging/deployments");
  }

  @Test
  void failingMigrationIsReportedWithItsFileAndTheRestoreUsesTheRecordedBookmark() {
    DeploymentPlan plan = plan(Map.of());
    recorder.failQuery("ALTER TABLE notes ADD COLUMN author", "duplicate column name: author: SQLITE_ERROR");
    RestorePoint point = observe(() -> target.checkpoint(plan, "run-1", NO_TICK)).get(0);

    assertThatThrownBy(() -> target.applyMigrations(plan, plan.databases().get(0), NO_TICK))
        .isInstanceOfSatisfying(MigrationFailedException.class, failure -> {
          seen.add(failure.getMessage());
          assertThat(failure.binding()).isEqualTo("DB");
          assertThat(failure.failedFile()).isEqualTo(M2);
          assertThat(failure.error()).isEqualTo("duplicate column name: author: SQLITE_ERROR");
          assertThat(failure.applied()).containsExactly(M1);
          assertThat(failure.appliedByThisCall()).containsExactly(M1);
        });
    assertThat(recorder.ledgerOf(DB_ID, LEDGER)).containsExactly(M1);

    recorder.clearCalls();
    String restored = observe(() -> target.restore(plan, point, NO_TICK));

    assertThat(recorder.callLines()).containsExactly("POST " + db + "/time_travel/restore?bookmark=" + point.location());
    assertThat(recorder.ledgerOf(DB_ID, LEDGER)).isEmpty(); // back to before the deployment: no ledger rows
    assertThat(recorder.rows(DB_ID, "SELECT name FROM sqlite_master WHERE name = 'notes'")).isEmpty();
    assertThat(restored).startsWith("restored DB to bookmark " + point.location() + "; to undo:");
  }

  @Test
  void rollbackPutsTheRecordedVersionBackAtFullTrafficOnceAndThenDoesNothing() {
    DeploymentPlan plan = plan(Map.of());
    String previous = recorder.deployed(WORKER, "an-older-source");
    String recorded = target.liveRelease(plan).orElseThrow(); // what checkpoint records
    assertThat(recorded).isEqualTo(previous);
    observe(() -> target.release(plan, NO_TICK));
    String released = single(recorder.liveSplit(WORKER));
    recorder.clearCalls();

    String done = observe(() -> target.rollback(plan, recorded, NO_TICK));

    assertThat(done).isEqualTo("version " + previous + " of " + WORKER + " serves 100 % again (was "
        + released + " at 100 %)");
    assertThat(recorder.callLines()).containsExactly(
        "GET " + script + "/deployments", // deployments status: look first
        "GET " + script + "/deployments", // wrangler rollback
        "GET " + script + "/versions/" + released,
        "GET " + script + "/versions/" + previous,
        "POST " + script + "/deployments");
    assertThat(callTo("POST", script + "/deployments").json()).isEqualTo(json(
        "{\"strategy\":\"percentage\",\"versions\":[{\"version_id\":\"" + previous + "\",\"percentage\":100}],"
            + "\"annotations\":{\"workers/message\":\"flaredeploy: roll back the release of "
            + plan.source().id() + "\"}}"));

    recorder.clearCalls();
    assertThat(observe(() -> target.rollback(plan, recorded, NO_TICK)))
        .isEqualTo("version " + previous + " of " + WORKER + " is live");
    assertThat(recorder.callLines()).containsExactly("GET " + script + "/deployments");
  }

  @Test
  void rollbackOfAFirstDeployReportsThatCloudflareHasNothingToRollBackTo() {
    DeploymentPlan plan = plan(Map.of());
    String live = recorder.deployed(WORKER, plan.source().id());

    assertThatThrownBy(() -> target.rollback(plan, null, NO_TICK))
        .isInstanceOfSatisfying(CloudflareException.class, failure -> {
          seen.add(failure.getMessage());
          assertThat(failure.failureType()).isEqualTo(FailureTypes.COMPENSATION_FAILED);
          assertThat(failure.retryable()).isFalse();
          assertThat(failure.getMessage())
              .startsWith("Cloudflare has nothing to roll back to: hello-d1 had no deployment before this one,"
                  + " and it now serves " + live + " at 100 %")
              .contains("wrangler versions deploy <version-id>@100 --yes", "wrangler delete --name hello-d1");
        });
    assertThat(recorder.callLines()).containsExactly("GET " + script + "/deployments");
  }

  @Test
  void tokenIsScrubbedFromResultsExceptionsAndWranglerLogsEvenWhenTheApiEchoesIt() {
    DeploymentPlan plan = plan(Map.of());
    recorder.echoAuthorizationInErrors()
        .failQuery("ALTER TABLE notes ADD COLUMN author", "duplicate column name: author: SQLITE_ERROR");

    assertThat(observe(() -> ledgers(target, plan)).get(0).pending()).containsExactly(M1, M2);
    assertThat(target.liveRelease(plan)).isEmpty();
    assertThatThrownBy(() -> target.applyMigrations(plan, plan.databases().get(0), NO_TICK))
        .isInstanceOfSatisfying(MigrationFailedException.class, failure -> {
          seen.add(failure.getMessage());
          assertThat(failure.getMessage()).contains("(request had Authorization: Bearer ***)");
        });
    assertThatThrownBy(() -> target.restore(plan, new RestorePoint("DB", "not-a-bookmark"), NO_TICK))
        .isInstanceOfSatisfying(CloudflareException.class, failure -> {
          seen.add(failure.getMessage());
          assertThat(failure.failureType()).isEqualTo(FailureTypes.CLOUDFLARE_REFUSED);
          assertThat(failure.retryable()).isFalse();
          assertThat(failure.getMessage())
              .startsWith("could not restore DB to bookmark not-a-bookmark")
              .contains("Invalid bookmark not-a-bookmark (request had Authorization: Bearer ***)");
        });
    // the token reached the recorder with every call, and nowhere else (checked after each test)
    assertThat(recorder.calls()).isNotEmpty();
  }

  @Test
  void missingTokenIsACredentialsFailureBeforeWranglerRuns() {
    DeploymentPlan plan = plan(Map.of());
    CloudflareTarget noToken = new CloudflareTarget(PinnedWrangler.in(logDir()), sources,
        Map.of(CloudflareCredentials.API_BASE_URL, recorder.baseUrl()));

    assertThatThrownBy(() -> noToken.inspect(plan, plan.databases().get(0), NO_TICK))
        .isInstanceOfSatisfying(CloudflareException.class, failure -> {
          assertThat(failure.failureType()).isEqualTo(FailureTypes.CREDENTIALS_MISSING);
          assertThat(failure.retryable()).isFalse();
          assertThat(failure.getMessage()).startsWith("CLOUDFLARE_API_TOKEN is not set in the environment");
        });
    assertThat(recorder.calls()).isEmpty();
  }

  @Test
  void secretNamesAreTheWorkersSecretListAndNoneBeforeTheWorkerExists() {
    DeploymentPlan plan = plan(Map.of());

    assertThat(target.secretNames(plan, NO_TICK)).as("no Worker yet").isEmpty();
    recorder.deployed(WORKER, "an-older-source");
    recorder.secrets(WORKER, "API_KEY", "SIGNING_KEY");
    assertThat(target.secretNames(plan, NO_TICK)).containsExactly("API_KEY", "SIGNING_KEY");
    assertThat(recorder.callLines()).containsExactly("GET " + script + "/secrets", "GET " + script + "/secrets");
  }

  @Test
  void preflightReportsAnAccountConflictAndABindingWithoutDatabaseIdWithoutCallingCloudflare() {
    DeploymentPlan plan = plan(Map.of("wrangler.toml", helloD1Toml()
        .replace("name = \"hello-d1\"\n", "name = \"hello-d1\"\naccount_id = \"0123456789abcdef\"\n")
        .replace("database_id = \"" + DB_ID + "\"\n", "")));

    PreflightReport report = target.preflight(plan, NO_TICK);

    assertThat(report.ready()).isFalse();
    assertThat(report.problems()).containsExactly(
        "D1 binding DB has no database_id in wrangler.toml; add the id of the remote database"
            + " (`wrangler d1 list`, or create it with `wrangler d1 create hello-d1-db`), or let `flaredeploy"
            + " deploy --provision` find or create it and print the entry to add",
        "account_id in wrangler.toml is 0123456789abcdef but CLOUDFLARE_ACCOUNT_ID is " + account
            + "; wrangler uses the config's, so the worker's token would act on another account than it"
            + " was given for: make them agree, or remove account_id from the config");
    assertThat(report.warnings()).isEmpty();
    assertThat(recorder.calls()).isEmpty();
  }

  @Test
  void validateSchemaStopsAtPreflightWhenABindingHasNoDatabaseIdAndReadsNothing() {
    DeploymentPlan plan = plan(Map.of("wrangler.toml", withoutTopLevelDatabaseId()));

    SchemaReport report = observe(() -> Gate.run(target, plan, NO_TICK, 1));

    assertThat(report.results()).singleElement().satisfies(preflight -> {
      assertThat(preflight.check()).isEqualTo("preflight");
      assertThat(preflight.findings()).singleElement().satisfies(f -> assertThat(f.message())
          .startsWith("D1 binding DB has no database_id in wrangler.toml;")
          .contains("flaredeploy deploy --provision"));
    });
    assertThat(report.databases()).isEmpty();
    assertThat(Gate.blocked(report)).hasValueSatisfying(why -> assertThat(why)
        .startsWith("the deployment is blocked; nothing was changed:\n  D1 binding DB has no database_id"));
    assertThat(Gate.failureType(report)).isEqualTo(FailureTypes.PREFLIGHT_FAILED);
    assertThat(recorder.calls()).isEmpty();
  }

  @Test
  void validateSchemaReadsTheSchemaWithoutAnExportAndChecksPendingMigrationsInAShadow() {
    DeploymentPlan plan = plan(Map.of());
    recorder.ledger(DB_ID, LEDGER, List.of(M1)).schema(DB_ID, migration(M1));
    String untouched = recorder.bookmarkOf(DB_ID);

    SchemaReport report = observe(() -> Gate.run(target, plan, NO_TICK, 1));

    assertThat(recorder.bookmarkOf(DB_ID)).as("validate-schema wrote nothing").isEqualTo(untouched);
    assertThat(report.databases()).containsExactly(new DatabaseStatus("DB", List.of(M1), List.of(M2)));
    assertThat(result(report, "migrations").findings()).singleElement().satisfies(check -> {
      assertThat(check.subject()).isEqualTo(M2);
      assertThat(check.code()).isEqualTo("ADDITIVE");
    });
    assertThat(result(report, "drift").outcome()).isEqualTo(CheckResult.PASSED);
    assertThat(Gate.blocked(report)).isEmpty();
    assertThat(recorder.callLines()).as("D1 makes a database unavailable while it exports").containsExactly(
        "GET " + db, // preflight: the database exists and the token may read it
        "POST " + db + "/query", // ledger, checksums and schema at once: the shadow and drift start from the schema,
        "POST " + db + "/query", // but M1 was applied by wrangler alone: no checksum table yet, so without it
        "GET " + script + "/deployments"); // what serves: nothing yet
    assertThat(sqlSent().get(0)).endsWith(DatabaseState.SCHEMA_QUERY).contains(Checksums.SELECT);
    assertThat(sqlSent().get(1)).endsWith(DatabaseState.SCHEMA_QUERY).doesNotContain(Checksums.SELECT);
    assertThat(home.resolve("cloudflare/hello-d1/default/validation")).doesNotExist();
    assertThat(recorder.unexpectedCalls()).isEmpty();
  }

  @Test
  void validateSchemaFindsDriftInTheRemoteSchema() {
    DeploymentPlan plan = plan(Map.of());
    recorder.ledger(DB_ID, LEDGER, List.of(M1)).schema(DB_ID, migration(M1))
        .schema(DB_ID, "CREATE TABLE added_by_hand (id INTEGER PRIMARY KEY);");

    SchemaReport report = observe(() -> Gate.run(target, plan, NO_TICK, 1));

    assertThat(result(report, "drift").findings()).singleElement().satisfies(f -> assertThat(f.message())
        .startsWith("DB: ").contains("added_by_hand"));
  }

  @Test
  void noCheckRequestsAnExportEvenOfADatabaseD1CouldNotExport() {
    DeploymentPlan plan = plan(Map.of());
    recorder.failExport(DB_ID, "Currently, D1 cannot export databases with virtual tables (fts5)")
        .schema(DB_ID, "CREATE VIRTUAL TABLE search USING fts5(body);");

    SchemaReport report = observe(() -> Gate.run(target, plan, NO_TICK, 1));

    assertThat(report.databases()).containsExactly(new DatabaseStatus("DB", List.of(), List.of(M1, M2)));
    assertThat(result(report, "migrations").findings()).extracting(CheckFinding::subject).containsExactly(M1, M2);
    assertThat(result(report, "drift").findings()).as("the virtual table, made by hand").singleElement()
        .satisfies(f -> assertThat(f.message()).contains("table search"));
    assertThat(Gate.blocked(report)).isEmpty();
    assertThat(recorder.callLines()).noneMatch(line -> line.contains("/export"));
  }

  private static CheckResult result(SchemaReport report, String check) {
    return report.results().stream().filter(r -> r.check().equals(check)).findFirst().orElseThrow();
  }

  @Test
  void checkpointWithExportKeepsAnSqlExportPerDatabaseAndARetryReusesIt() throws IOException {
    DeploymentPlan plan = withCheckpointExport(plan(Map.of()));
    recorder.ledger(DB_ID, LEDGER, List.of(M1)).schema(DB_ID, migration(M1));

    List<RestorePoint> points = observe(() -> target.checkpoint(plan, "run-1", NO_TICK));

    Path kept = home.resolve("cloudflare/hello-d1/default/checkpoints/run-1/DB.sql");
    assertThat(points).containsExactly(new RestorePoint("DB", recorder.bookmarkOf(DB_ID), kept.toString()));
    assertThat(Files.readString(kept)).contains("CREATE TABLE notes", "INSERT INTO \"d1_migrations\" VALUES(1,'" + M1);
    assertThat(recorder.callLines()).hasSize(4).startsWith(
        "GET " + db + "/time_travel/bookmark", "POST " + db + "/export", "POST " + db + "/export");
    assertThat(recorder.callLines().get(3)).matches("GET /dumps/[-0-9a-f]+/" + DB_ID + "-[-0-9a-f]+\\.sql");

    recorder.clearCalls();
    assertThat(observe(() -> target.checkpoint(plan, "run-1", NO_TICK))).isEqualTo(points);
    assertThat(recorder.callLines()).containsExactly("GET " + db + "/time_travel/bookmark");
  }

  @Test
  void checkpointExportThatFailsFailsTheCheckpointWithoutRetryingAndSaysWhatToDo() {
    DeploymentPlan plan = withCheckpointExport(plan(Map.of()));
    recorder.failExport(DB_ID, "Currently, D1 cannot export databases with virtual tables (fts5)");

    assertThatThrownBy(() -> target.checkpoint(plan, "run-1", NO_TICK))
        .isInstanceOfSatisfying(CloudflareException.class, failure -> {
          seen.add(failure.getMessage());
          assertThat(failure.retryable()).isFalse();
          assertThat(failure.getMessage())
              .startsWith("could not keep an SQL export of DB with the checkpoint ([checkpoint] export = true)")
              .contains("virtual tables (fts5)", "[checkpoint] export = false");
        });
    assertThat(home.resolve("cloudflare/hello-d1/default/checkpoints/run-1")).isEmptyDirectory();
  }

  @Test
  void provisionFindsTheDatabaseByNameAndPrintsTheTomlEntryWithItsId() throws IOException {
    String toml = withoutTopLevelDatabaseId();
    DeploymentPlan plan = plan(Map.of("wrangler.toml", toml));

    List<ProvisionedDatabase> provisioned = observe(() -> target.provision(plan, NO_TICK));

    assertThat(provisioned).containsExactly(new ProvisionedDatabase("DB", "hello-d1-db", DB_ID, false, """
        [[d1_databases]]
        binding = "DB"
        database_name = "hello-d1-db"
        database_id = "%s"
        """.formatted(DB_ID)));
    assertThat(recorder.callLines()).containsExactly("GET " + a + "/d1/database?name=hello-d1-db&per_page=100");
    assertThat(Files.readString(home.resolve("project/wrangler.toml"))).isEqualTo(toml);
  }

  @Test
  void provisionCreatesAMissingDatabaseOnceAndNeverEditsTheConfig() throws IOException {
    String staging = "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c02";
    String jsonc = """
        // hello-d1 as JSON
        {
          "name": "hello-d1",
          "main": "src/index.js",
          "compatibility_date": "2025-06-01",
          "d1_databases": [{"binding": "DB", "database_name": "hello-d1-db", "database_id": "%s"}],
          "env": {
            "staging": {
              "d1_databases": [{"binding": "DB", "database_name": "hello-d1-db-staging",
                                "migrations_table": "schema_history"}]
            }
          }
        }
        """.formatted(DB_ID);
    Path project = home.resolve("project");
    DeploymentPlan plan = plan(Map.of("wrangler.jsonc", jsonc), "staging", "wrangler.toml");

    List<ProvisionedDatabase> provisioned = observe(() -> target.provision(plan, NO_TICK));

    String created = recorder.databases().entrySet().stream()
        .filter(e -> e.getValue().equals("hello-d1-db-staging")).findFirst().orElseThrow().getKey();
    assertThat(staging).isNotEqualTo(created);
    assertThat(provisioned).containsExactly(new ProvisionedDatabase("DB", "hello-d1-db-staging", created, true, """
        // in "env" → "staging" → "d1_databases"
        {
          "binding": "DB",
          "database_name": "hello-d1-db-staging",
          "database_id": "%s",
          "migrations_table": "schema_history"
        }
        """.formatted(created)));
    assertThat(recorder.callLines()).containsExactly(
        "GET " + a + "/d1/database?name=hello-d1-db-staging&per_page=100",
        "POST " + a + "/d1/database");
    assertThat(callTo("POST", a + "/d1/database").json()).isEqualTo(json("{\"name\":\"hello-d1-db-staging\"}"));
    assertThat(Files.readString(project.resolve("wrangler.jsonc"))).isEqualTo(jsonc);
    assertThat(Files.readString(Path.of(plan.source().path()).resolve("wrangler.jsonc"))).isEqualTo(jsonc);

    recorder.clearCalls();
    assertThat(observe(() -> target.provision(plan, NO_TICK))).singleElement()
        .satisfies(again -> assertThat(again.created()).isFalse())
        .satisfies(again -> assertThat(again.databaseId()).isEqualTo(created));
    assertThat(recorder.callLines()).containsExactly("GET " + a + "/d1/database?name=hello-d1-db-staging&per_page=100");
  }

  @Test
  void rolloutUploadsOnceAndEachTrafficShiftIsDeployedOnceEvenWhenRetried() {
    DeploymentPlan plan = plan(Map.of());
    String old = recorder.deployed(WORKER, "an-older-source");

    var uploaded = observe(() -> target.uploadVersion(plan, NO_TICK));
    assertThat(recorder.tagOf(WORKER, uploaded.versionId())).isEqualTo(plan.source().id());
    assertThat(recorder.liveSplit(WORKER)).containsExactly(Map.entry(old, 100.0)); // uploaded, no traffic
    assertThat(observe(() -> target.uploadVersion(plan, NO_TICK)).versionId()).isEqualTo(uploaded.versionId());
    assertThat(recorder.callLines()).filteredOn(line -> line.startsWith("POST " + script + "/versions")).hasSize(1);

    recorder.clearCalls();
    String shifted = observe(() -> target.shiftTraffic(plan, uploaded.versionId(), old, 10, NO_TICK));
    assertThat(shifted).isEqualTo(uploaded.versionId() + " at 10 %, " + old + " at 90 % (was " + old + " at 100 %)");
    assertThat(callTo("POST", script + "/deployments").json()).isEqualTo(json(
        "{\"strategy\":\"percentage\",\"versions\":[{\"version_id\":\"" + uploaded.versionId() + "\",\"percentage\":10},"
            + "{\"version_id\":\"" + old + "\",\"percentage\":90}],"
            + "\"annotations\":{\"workers/message\":\"flaredeploy " + plan.source().id() + ": 10 %\"}}"));

    recorder.clearCalls();
    assertThat(observe(() -> target.shiftTraffic(plan, uploaded.versionId(), old, 10, NO_TICK)))
        .endsWith("already serves");
    assertThat(recorder.callLines()).containsExactly("GET " + script + "/deployments");

    observe(() -> target.shiftTraffic(plan, uploaded.versionId(), null, 100, NO_TICK));
    assertThat(recorder.liveSplit(WORKER)).containsExactly(Map.entry(uploaded.versionId(), 100.0));
    assertThat(target.versionHeaders(plan, uploaded.workerName(), uploaded.versionId()))
        .containsExactly(Map.entry("Cloudflare-Workers-Version-Overrides", "hello-d1=\"" + uploaded.versionId() + "\""));
  }

  @Test
  void inspectReadsLedgerChecksumsAndSchemaInOneQueryOnceTheTablesExist() {
    DeploymentPlan plan = plan(Map.of());
    DatabasePlan database = plan.databases().get(0);

    DatabaseState fresh = observe(() -> target.inspect(plan, database, NO_TICK));
    assertThat(fresh).isEqualTo(new DatabaseState(true, List.of(), Map.of(), List.of()));
    assertThat(recorder.callLines()).hasSize(2); // the ledger does not exist yet: the schema alone, again

    observe(() -> target.applyMigrations(plan, database, NO_TICK));
    recorder.clearCalls();
    DatabaseState applied = observe(() -> target.inspect(plan, database, NO_TICK));

    assertThat(recorder.callLines()).containsExactly("POST " + db + "/query");
    assertThat(applied.applied()).containsExactly(M1, M2);
    assertThat(applied.checksums().keySet()).containsExactly(M1, M2);
    assertThat(applied.checksums().get(M2).sha256()).isEqualTo(sha256(plan, M2));
    assertThat(applied.schema()).extracting(DatabaseState.SchemaObject::name)
        .containsExactly("d1_migrations", "flaredeploy_migration_checksums", "notes", "notes_by_author");
  }

  @Test
  void probeIsOneReadOnlyQueryAndAStatementThatWritesIsRefusedBeforeAnyCall() {
    DeploymentPlan plan = plan(Map.of());
    DatabasePlan database = plan.databases().get(0);
    observe(() -> target.applyMigrations(plan, database, NO_TICK));
    recorder.schema(DB_ID, "INSERT INTO notes (body, author) VALUES ('a', 'ada'), ('b', 'ada'), ('c', 'bob');");
    recorder.clearCalls();

    List<Map<String, String>> duplicates = observe(() -> target.probe(plan, database,
        "SELECT author, count(*) AS n FROM notes GROUP BY author HAVING count(*) > 1 LIMIT 5", NO_TICK));

    assertThat(duplicates).containsExactly(Map.of("author", "ada", "n", "2"));
    assertThat(observe(() -> target.probe(plan, database, "SELECT * FROM not_there LIMIT 1", NO_TICK))).isEmpty();
    assertThat(recorder.callLines()).containsExactly("POST " + db + "/query", "POST " + db + "/query");
    assertThatThrownBy(() -> target.probe(plan, database, "DELETE FROM notes", NO_TICK))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(recorder.callLines()).hasSize(2);
  }

  @Test
  void aFailingMigrationLeavesNoTraceAndTheFilesBeforeItStayApplied() throws IOException {
    DeploymentPlan plan = plan(Map.of("migrations/0003_half.sql",
        "CREATE TABLE tags (name TEXT PRIMARY KEY);\nINSERT INTO nonexistent_table VALUES (1);\n"));

    assertThatThrownBy(() -> target.applyMigrations(plan, plan.databases().get(0), NO_TICK))
        .isInstanceOfSatisfying(MigrationFailedException.class, failure -> {
          seen.add(failure.getMessage());
          assertThat(failure.failedFile()).isEqualTo("0003_half.sql");
          assertThat(failure.error()).isEqualTo("no such table: nonexistent_table: SQLITE_ERROR");
          assertThat(failure.applied()).containsExactly(M1, M2);
        });

    assertThat(recorder.ledgerOf(DB_ID, LEDGER)).containsExactly(M1, M2);
    assertThat(recorder.checksumsOf(DB_ID).keySet()).containsExactly(M1, M2);
    assertThat(recorder.rows(DB_ID, "SELECT name FROM sqlite_master WHERE name = 'tags'")).isEmpty();
  }

  @Test
  void aMigrationWhoseAnswerWasLostIsFoundInTheLedgerAndNeverSentTwice() {
    DeploymentPlan plan = plan(Map.of());
    recorder.loseNextAnswer("CREATE TABLE notes", 502); // applied, but the answer is a 502

    List<String> ledger = observe(() -> target.applyMigrations(plan, plan.databases().get(0), NO_TICK));

    assertThat(ledger).containsExactly(M1, M2);
    assertThat(recorder.ledgerOf(DB_ID, LEDGER)).containsExactly(M1, M2);
    assertThat(recorder.checksumsOf(DB_ID)).isEqualTo(Map.of(M1, sha256(plan, M1), M2, sha256(plan, M2)));
    assertThat(recorder.calls()).extracting(Call::status).containsExactly(200, 502, 200, 200);
    assertThat(sqlSent().get(2)).startsWith("SELECT name FROM \"d1_migrations\""); // looked before resending
    assertThat(sqlSent()).filteredOn(sql -> sql.contains("CREATE TABLE notes")).hasSize(1);

    recorder.clearCalls();
    assertThat(observe(() -> target.applyMigrations(plan, plan.databases().get(0), NO_TICK)))
        .containsExactly(M1, M2);
    assertThat(recorder.callLines()).hasSize(1); // a retry after everything went through only looks
  }

  @Test
  void aStepThatDiesAfterAFileWentThroughIsRetriedAndAppliesEachFileExactlyOnce() {
    DeploymentPlan plan = plan(Map.of());
    DatabasePlan database = plan.databases().get(0);
    recorder.loseNextAnswer("ADD COLUMN author", 502) // M2 is applied, its answer lost
        .failNext("\"sql\":\"SELECT name FROM \\\"d1_migrations\\\" ORDER BY id;", 503, 1, -1); // and the look fails
    Tick dies = () -> {
      throw new IllegalStateException("the worker went away"); // as a heartbeat of a lost worker would
    };

    assertThatThrownBy(() -> target.applyMigrations(plan, database, dies)).hasMessage("the worker went away");
    assertThat(recorder.ledgerOf(DB_ID, LEDGER)).containsExactly(M1, M2);
    recorder.clearCalls();

    assertThat(observe(() -> target.applyMigrations(plan, database, NO_TICK))).containsExactly(M1, M2);

    assertThat(recorder.callLines()).containsExactly("POST " + db + "/query"); // the retry looked, and was done
    assertThat(recorder.ledgerOf(DB_ID, LEDGER)).containsExactly(M1, M2);
    assertThat(recorder.checksumsOf(DB_ID)).isEqualTo(Map.of(M1, sha256(plan, M1), M2, sha256(plan, M2)));
    assertThat(recorder.rows(DB_ID, "SELECT count(*) AS n FROM pragma_table_info('notes') WHERE name = 'author'"))
        .containsExactly(Map.of("n", 1));
  }

  @Test
  void aRateLimitedCallIsRetriedAfterItsRetryAfterWhileARefusedOneFailsAtOnceSayingWhatToFix() {
    DeploymentPlan plan = plan(Map.of());
    recorder.ledger(DB_ID, LEDGER, List.of()).failNext("/query", 429, 1, 1);

    assertThat(observe(() -> ledgers(target, plan)).get(0).pending()).containsExactly(M1, M2);

    List<Call> calls = recorder.calls();
    // the retried read, then D1's answer that the checksum table does not exist yet, and the read without it
    assertThat(calls).extracting(Call::status).containsExactly(429, 400, 200);
    assertThat(java.time.Duration.between(calls.get(0).at(), calls.get(1).at())).isGreaterThanOrEqualTo(
        java.time.Duration.ofSeconds(1));

    recorder.clearCalls();
    recorder.failNext("/query", 403);
    assertThatThrownBy(() -> target.inspect(plan, plan.databases().get(0), NO_TICK))
        .isInstanceOfSatisfying(CloudflareException.class, failure -> {
          seen.add(failure.getMessage());
          assertThat(failure.failureType()).isEqualTo(FailureTypes.CLOUDFLARE_REFUSED);
          assertThat(failure.retryable()).isFalse();
          assertThat(failure.getMessage())
              .startsWith("Cloudflare refused to query D1 database " + DB_ID)
              .contains("HTTP 403", "code 10000", "CLOUDFLARE_API_TOKEN lacks a permission",
                  "this call needs D1:Read");
        });
    assertThat(recorder.calls()).extracting(Call::status).containsExactly(403);
  }

  @Test
  void aServerErrorOnAReadIsRetriedAndOneThatPersistsFailsRetryablyWithoutBlamingTheUser() {
    DeploymentPlan plan = plan(Map.of());
    String live = recorder.deployed(WORKER, "an-older-source");
    recorder.failNext("/deployments", 502, 2, -1);

    assertThat(target.liveRelease(plan)).contains(live);
    assertThat(recorder.calls()).extracting(Call::status).containsExactly(502, 502, 200);

    recorder.clearCalls();
    recorder.failNext("/deployments", 503, 10, -1);
    assertThatThrownBy(() -> target.liveRelease(plan))
        .isInstanceOfSatisfying(CloudflareException.class, failure -> {
          seen.add(failure.getMessage());
          assertThat(failure.failureType()).isEqualTo(FailureTypes.CLOUDFLARE_UNAVAILABLE);
          assertThat(failure.retryable()).isTrue();
          assertThat(failure.getMessage()).contains("read the deployments of Worker hello-d1", "HTTP 503",
              "5 attempts");
        });
    assertThat(recorder.calls()).hasSize(5);
  }

  @Test
  void preflightNamesADatabaseTheAccountDoesNotHaveAndOneTheTokenMayNotRead() {
    String other = "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c09";
    DeploymentPlan plan = plan(Map.of("wrangler.toml", helloD1Toml().replace(DB_ID, other)));

    PreflightReport missing = target.preflight(plan, NO_TICK);

    assertThat(missing.problems()).singleElement().asString()
        .startsWith("D1 binding DB: account " + account + " has no D1 database " + other)
        .contains("`wrangler d1 list`", "CLOUDFLARE_ACCOUNT_ID");
    assertThat(recorder.callLines()).containsExactly("GET " + a + "/d1/database/" + other);

    recorder.clearCalls();
    recorder.failNext("/d1/database/" + DB_ID, 403);
    assertThat(target.preflight(plan(Map.of()), NO_TICK).problems()).singleElement().asString()
        .startsWith("D1 binding DB: Cloudflare refused to read database " + DB_ID + " (HTTP 403)")
        .contains("D1:Edit");
  }

  @Test
  void aPlanThatCarriesTheWorkersNameReachesCloudflareWithoutTouchingTheSnapshot() throws IOException {
    DeploymentPlan old = plan(Map.of());
    DeploymentPlan plan = withCloudflare(old, new CloudflareSettings(WORKER, null, null));
    String live = recorder.deployed(WORKER, "an-older-source");
    dev.flaredeploy.activities.local.LocalWorkspace.deleteTree(Path.of(plan.source().path())); // gone for good

    assertThat(target.liveRelease(plan)).contains(live);
    assertThat(observe(() -> ledgers(target, plan))).hasSize(1);
    assertThat(observe(() -> target.checkpoint(plan, "run-1", NO_TICK))).hasSize(1);
    assertThatThrownBy(() -> target.liveRelease(old)) // an old plan still reads the name from the snapshot
        .isInstanceOf(dev.flaredeploy.activities.source.SourceException.class);
  }

  @Test
  void withoutAnyAccountIdTheAccountIsTheTokensOnlyOneAskedOnce() {
    CloudflareTarget noAccount = new CloudflareTarget(PinnedWrangler.in(logDir()), sources, Map.of(
        CloudflareCredentials.TOKEN, token,
        CloudflareCredentials.API_BASE_URL, recorder.baseUrl(),
        "FLAREDEPLOY_HOME", home.toString()));
    DeploymentPlan plan = plan(Map.of());

    assertThat(noAccount.preflight(plan, NO_TICK).ready()).isTrue();
    assertThat(observe(() -> ledgers(noAccount, plan))).hasSize(1);

    assertThat(recorder.callLines()).containsExactly( // no ledger yet: the schema alone, again
        "GET /memberships?per_page=50", "GET " + db, "POST " + db + "/query", "POST " + db + "/query");
  }

  // ---- helpers ----

  /** A plan for a copy of examples/hello-d1 (files replaced or added by {@code files}), default env. */
  private DeploymentPlan plan(Map<String, String> files) {
    return plan(files, "default");
  }

  private DeploymentPlan plan(Map<String, String> files, String environment, String... remove) {
    Path project = home.resolve("project");
    for (int n = 2; Files.exists(project); n++) { // a second plan in one test gets its own copy
      project = home.resolve("project-" + n);
    }
    ExampleProjects.copy("hello-d1", project);
    try {
      for (String file : remove) {
        Files.delete(project.resolve(file));
      }
      for (Map.Entry<String, String> file : files.entrySet()) {
        Files.writeString(project.resolve(file.getKey()), file.getValue());
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    var snapshot = sources.pin(project, null);
    LoadedProject loaded = new ProjectConfigLoader().load(Path.of(snapshot.path()), environment);
    return new DeploymentPlan(loaded.service(), loaded.environment(), "cloudflare", snapshot,
        loaded.configFile().getFileName().toString(), loaded.databases(), loaded.smoke(),
        loaded.restoreDatabaseOn(), loaded.local(), 1, false, loaded.onDrift(), loaded.rolloutPlan(),
        loaded.checkpointExport(), loaded.policy(), loaded.allowances(), null, null, null);
  }

  private static DeploymentPlan withCloudflare(DeploymentPlan p, CloudflareSettings settings) {
    return new DeploymentPlan(p.service(), p.environment(), p.target(), p.source(), p.configFile(), p.databases(),
        p.smoke(), p.restoreDatabaseOn(), p.local(), p.attempt(), p.allowDestructive(), p.onDrift(), p.rollout(),
        p.checkpointExport(), p.policy(), p.allowances(), settings, null, null);
  }

  private static DeploymentPlan withCheckpointExport(DeploymentPlan p) {
    return new DeploymentPlan(p.service(), p.environment(), p.target(), p.source(), p.configFile(), p.databases(),
        p.smoke(), p.restoreDatabaseOn(), p.local(), p.attempt(), p.allowDestructive(), p.onDrift(), p.rollout(),
        true, p.policy(), p.allowances(), null, null, null);
  }

  private static String withoutTopLevelDatabaseId() {
    return helloD1Toml().replace("database_id = \"" + DB_ID + "\"\n", "");
  }

  private static String migration(String name) {
    try {
      return Files.readString(ExampleProjects.repoRoot().resolve("examples/hello-d1/migrations").resolve(name));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The sha256 the plan lists for a migration file (what prepare computed from the pinned source). */
  private static String sha256(DeploymentPlan plan, String migration) {
    return plan.databases().get(0).migrations().stream().filter(m -> m.name().equals(migration))
        .findFirst().orElseThrow().sha256();
  }

  private static String helloD1Toml() {
    try {
      return Files.readString(ExampleProjects.repoRoot().resolve("examples/hello-d1/wrangler.toml"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Each database's ledger as the pre-deploy checks read it ({@link CloudflareTarget#inspect}): the applied
   * migrations, and the plan's files the ledger lacks as pending.
   */
  private static List<DatabaseStatus> ledgers(CloudflareTarget target, DeploymentPlan plan) {
    List<DatabaseStatus> statuses = new ArrayList<>();
    for (DatabasePlan database : plan.databases()) {
      List<String> applied = target.inspect(plan, database, NO_TICK).applied();
      statuses.add(new DatabaseStatus(database.binding(), applied, database.migrations().stream()
          .map(m -> m.name()).filter(name -> !applied.contains(name)).toList()));
    }
    return statuses;
  }

  /** Runs a target method and remembers what it returned, for the token check. */
  private <T> T observe(Supplier<T> call) {
    T result = call.get();
    seen.add(String.valueOf(result));
    return result;
  }

  /** The SQL of each D1 /query call, whitespace collapsed. */
  private List<String> sqlSent() {
    return recorder.calls().stream()
        .filter(c -> c.path().endsWith("/query"))
        .map(c -> c.json().path("sql").asText().replaceAll("\\s+", " ").trim())
        .toList();
  }

  private Call callTo(String method, String pathPrefix) {
    return recorder.calls().stream()
        .filter(c -> c.method().equals(method) && c.path().startsWith(pathPrefix))
        .reduce((first, second) -> second)
        .orElseThrow(() -> new AssertionError("no " + method + " " + pathPrefix + " in " + recorder.callLines()));
  }

  private static String single(Map<String, Double> split) {
    assertThat(split).hasSize(1);
    return split.keySet().iterator().next();
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private Path logDir() {
    return home.resolve("logs");
  }

  private List<Path> logFilesContaining(String text) throws IOException {
    if (!Files.isDirectory(logDir())) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(logDir())) {
      List<Path> hits = new ArrayList<>();
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (Files.readString(file).contains(text)) {
          hits.add(file);
        }
      }
      return hits;
    }
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    new SecureRandom().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
