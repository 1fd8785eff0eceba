package dev.flaredeploy.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.workflows.model.CheckFinding;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.ChecksumProblem;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DatabaseReport;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.CloudflareSettings;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.ErrorReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.FleetMember;
import dev.flaredeploy.workflows.model.FleetMemberReport;
import dev.flaredeploy.workflows.model.FleetOptions;
import dev.flaredeploy.workflows.model.FleetReport;
import dev.flaredeploy.workflows.model.FleetRequest;
import dev.flaredeploy.workflows.model.NotifyTarget;
import dev.flaredeploy.workflows.model.FreezeWindow;
import dev.flaredeploy.workflows.model.LocalSettings;
import dev.flaredeploy.workflows.model.LockGrant;
import dev.flaredeploy.workflows.model.LockHolder;
import dev.flaredeploy.workflows.model.LockRequest;
import dev.flaredeploy.workflows.model.LockState;
import dev.flaredeploy.workflows.model.LockTicket;
import dev.flaredeploy.workflows.model.MigrationAllowance;
import dev.flaredeploy.workflows.model.MigrationCheck;
import dev.flaredeploy.workflows.model.MigrationFile;
import dev.flaredeploy.workflows.model.PolicyOverride;
import dev.flaredeploy.workflows.model.PolicyResult;
import dev.flaredeploy.workflows.model.PolicySettings;
import dev.flaredeploy.workflows.model.ReleaseReport;
import dev.flaredeploy.workflows.model.RestorePoint;
import dev.flaredeploy.workflows.model.SchemaReport;
import dev.flaredeploy.workflows.model.RolloutPlan;
import dev.flaredeploy.workflows.model.RolloutReport;
import dev.flaredeploy.workflows.model.RolloutStepReport;
import dev.flaredeploy.workflows.model.ShiftOutcome;
import dev.flaredeploy.workflows.model.TrafficShift;
import dev.flaredeploy.workflows.model.UploadedVersion;
import dev.flaredeploy.workflows.model.SmokeCheck;
import dev.flaredeploy.workflows.model.SmokePlan;
import dev.flaredeploy.workflows.model.SourceSnapshot;
import dev.flaredeploy.workflows.model.StepReport;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DefaultDataConverter;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Records cross the wire through Temporal's default converter; later versions may add fields. */
class WireRecordsTest {
  private final DefaultDataConverter converter = DefaultDataConverter.newDefaultInstance();

  @Test
  void fleetRequestAndReportSurviveTheDataConverterUnchanged() {
    FleetRequest request = new FleetRequest("api, web --env production", "cloudflare",
        List.of(new FleetMember(new DeploymentRequest("/p/api", "production", "cloudflare", "api", null, "me@host",
                false, List.of()), "c0ffee", true, List.of()),
            new FleetMember(new DeploymentRequest("/p/web", "production", "cloudflare", "web", null, "me@host", false,
                List.of()), null, false, List.of(0))),
        new FleetOptions(1, 4, 0, true), "me@host",
        List.of(new FleetMemberReport(0, "deploy:cloudflare:api:production", "api", "production", "SUCCEEDED",
            "smoke-test", "deployed", "run-1", "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z")),
        "2026-01-01T00:00:00Z", 2, true);
    FleetReport report = new FleetReport("fleet:cloudflare:api+web:production", "run-2", request.selection(),
        "cloudflare", "FAILED", "1 failed", request.options(), 2, 1, 1, 0, 0, 0, request.finished(),
        List.of("do this"), "2026-01-01T00:00:00Z", "2026-01-01T00:02:00Z", 2);

    assertThat(converter.fromPayload(converter.toPayload(request).orElseThrow(), FleetRequest.class,
        FleetRequest.class)).isEqualTo(request);
    assertThat(converter.fromPayload(converter.toPayload(report).orElseThrow(), FleetReport.class,
        FleetReport.class)).isEqualTo(report);
  }

  @Test
  void fleetNotificationsWaitingMembersAndWarningsSurviveTheDataConverterAndOlderFormsReadWithout() {
    FleetRequest request = new FleetRequest("svc --env *", "local", List.of(), new FleetOptions(1, 2, 0, false),
        "me@host", null, null, 1, false, List.of(new NotifyTarget("HOOK", List.of(NotifyTarget.FAILED), "slack")));
    FleetMemberReport waiting = new FleetMemberReport(1, "deploy:local:svc:b", "svc", "b", "WAITING_FOR_APPROVAL",
        "wait-for-approval", "waiting", "run-1", "2026-01-01T00:00:00Z", null, "0123456789abcdef");
    FleetReport report = new FleetReport("fleet:local:svc:*", "run", "svc --env *", "local", "RUNNING", "s",
        request.options(), 1, 0, 0, 1, 0, 0, List.of(waiting), List.of(), null, null, 1, List.of("not delivered"));

    assertThat(converter.fromPayload(converter.toPayload(request).orElseThrow(), FleetRequest.class,
        FleetRequest.class)).isEqualTo(request);
    assertThat(converter.fromPayload(converter.toPayload(report).orElseThrow(), FleetReport.class,
        FleetReport.class)).isEqualTo(report);
    FleetRequest older = converter.fromPayload(jsonPayload("{\"selection\":\"svc --env *\",\"members\":[],\"run\":1}"),
        FleetRequest.class, FleetRequest.class);
    assertThat(older.notifications()).isEmpty();
    FleetReport olderReport = converter.fromPayload(jsonPayload("{\"id\":\"fleet:local:svc:*\",\"members\":[{\"index\":0,"
        + "\"state\":\"RUNNING\"}]}"), FleetReport.class, FleetReport.class);
    assertThat(olderReport.warnings()).isEmpty();
    assertThat(olderReport.members().get(0).digest()).isNull();
  }

  @Test
  void aFleetReportWithFieldsAddedLaterStillReads() {
    Payload payload = jsonPayload("{\"id\":\"fleet:local:svc:*\",\"state\":\"RUNNING\",\"total\":3,"
        + "\"members\":[],\"addedLater\":{\"x\":1}}");

    FleetReport read = converter.fromPayload(payload, FleetReport.class, FleetReport.class);

    assertThat(read.id()).isEqualTo("fleet:local:svc:*");
    assertThat(read.total()).isEqualTo(3);
  }

  @Test
  void planSurvivesTheDataConverterUnchanged() {
    DeploymentPlan plan = new DeploymentPlan("hello-d1", "default", "local",
        new SourceSnapshot("abc", "/s/abc", "c0ffee", true, "/p/hello-d1", List.of("main")), "wrangler.toml",
        List.of(new DatabasePlan("DB", "db", "id", "migrations", "d1_migrations",
            List.of(new MigrationFile("0001_a.sql", "ff")))),
        new SmokePlan(30_000, List.of(new SmokeCheck("/health", 200, "healthy"), new SmokeCheck("/", null, null, 500)),
            "https://hello.example.com"),
        List.of("apply-migrations"), new LocalSettings(8787), 1, true, "fail",
        new RolloutPlan(List.of(10, 50, 100), 300_000), true,
        new PolicySettings(
            List.of(new FreezeWindow("friday", "weekend ahead", List.of("friday"), "12:00", "24:00", "UTC",
                    null, null),
                new FreezeWindow("holidays", null, null, null, null, null,
                    "2025-12-20T00:00:00Z", "2026-01-05T00:00:00Z")),
            List.of("main", "release/*"), true, List.of("API_KEY"),
            List.of(new PolicyOverride("freeze", "hotfix for INC-42"))),
        List.of(new MigrationAllowance("0003_drop_legacy.sql", "DB", "the legacy column is unused since v2"),
            new MigrationAllowance("0004_rename.sql", null, "no reader left")),
        new CloudflareSettings("hello-d1", "0123456789abcdef", "fedramp_high"), null, null);


    assertThat(roundTrip(plan, DeploymentPlan.class)).isEqualTo(plan);
  }

  @Test
  void schemaReportWithChecksumProblemsSurvivesTheDataConverterUnchanged() {
    SchemaReport report = new SchemaReport(
        List.of(new DatabaseStatus("DB", List.of("0001_a.sql", "0002_b.sql"), List.of())), "abc", 1,
        List.of(new MigrationCheck("DB", "0003_c.sql", "DESTRUCTIVE", false, List.of("drops column t.x"), null)),
        List.of("DB: a warning"), List.of(), List.of(), List.of(),
        List.of(new ChecksumProblem("DB", "0001_a.sql", ChecksumProblem.EDITED, "aa", "bb", "2026-01-01 00:00:00",
                "0001_a.sql was edited"),
            new ChecksumProblem("DB", "0002_b.sql", ChecksumProblem.VANISHED, null, null, null, "gone")),
        null);

    assertThat(roundTrip(report, SchemaReport.class)).isEqualTo(report);
  }

  @Test
  void reportSurvivesTheDataConverterUnchanged() {
    DeploymentReport report = new DeploymentReport("deploy:local:s:default", "run", "s", "default",
        "local", "c0ffee", false, "abc", "ROLLED_BACK", "smoke-test failed",
        List.of(new StepReport("prepare", "SUCCEEDED", 1, "t0", "t1", "ok")),
        List.of(new DatabaseReport("DB", List.of("0002.sql"), List.of(), "bookmark-1", "/cp/DB.sql")),
        new ReleaseReport("abc", "def", "http://127.0.0.1:8787", new RolloutReport("v-new", "v-old",
            "gradual: 10 % → 100 %, 5m each", List.of(new RolloutStepReport(0, 0, "PASSED", "1 check passed"),
                new RolloutStepReport(10, 300_000, "FAILED", "503"), new RolloutStepReport(100, 300_000, "NOT_RUN",
                    "not reached")))),
        new ErrorReport("smoke-test", "SmokeTestFailed", "503"), List.of(), "t0", "t9",
        List.of(new PolicyOverride("branches", "release from a hotfix branch")),
        List.of(new CheckResult("drift", CheckResult.WARNED, null, List.of(new CheckFinding(CheckFinding.WARNING,
            "DB", "column notes.priority", "extra", "exists in the live database but no applied migration creates it",
            List.of())), "bring the database back in line with a migration")), null, null);

    assertThat(roundTrip(report, DeploymentReport.class)).isEqualTo(report);
  }

  @Test
  void schemaReportAndRestorePointSurviveTheDataConverterUnchanged() {
    SchemaReport schema = new SchemaReport(List.of(new DatabaseStatus("DB", List.of("0001_a.sql"), List.of())),
        "abc", 1, List.of(), List.of("a warning"), List.of(), List.of("D1 binding DB has no database_id"),
        List.of(new PolicyResult("freeze", "overridden", "friday is in effect", "hotfix"),
            new PolicyResult("branches", "passed", "main is allowed", null)),
        List.of(), null);
    RestorePoint point = new RestorePoint("DB", "bookmark-1", "/home/cloudflare/s/default/checkpoints/r/DB.sql");

    assertThat(roundTrip(schema, SchemaReport.class)).isEqualTo(schema);
    assertThat(roundTrip(point, RestorePoint.class)).isEqualTo(point);
  }

  @Test
  void schemaReportWithCheckResultsSurvivesTheDataConverterUnchanged() {
    SchemaReport report = SchemaReport.of(List.of(new DatabaseStatus("DB", List.of("0001_a.sql"), List.of("0002_b.sql"))),
        "abc", 2, List.of(
            new CheckResult("preflight", CheckResult.PASSED, null, List.of(), null),
            new CheckResult("data", CheckResult.BLOCKED, FailureTypes.DATA_CONFLICT, List.of(new CheckFinding(
                CheckFinding.ERROR, "DB", "0002_b.sql", "duplicates", "UNIQUE index notes_slug on notes(slug) fails",
                List.of("slug = 'a' (3 rows)"))), "remove the duplicates first")));

    SchemaReport read = roundTrip(report, SchemaReport.class);

    assertThat(read).isEqualTo(report);
    assertThat(read.results().get(1).blocks()).isTrue();
    assertThat(read.checks()).as("the per-check lists of older reports stay empty").isNull();
  }

  @Test
  void schemaReportRecordedBeforeCheckResultsReadsWithoutThem() {
    String json = "{\"databases\":[{\"binding\":\"DB\",\"applied\":[],\"pending\":[\"0001_a.sql\"]}],"
        + "\"liveRelease\":null,\"attempt\":1,\"checks\":[],\"warnings\":[\"DB: a warning\"],\"drift\":[]}";
    Payload payload = Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFrom(json, StandardCharsets.UTF_8))
        .build();

    SchemaReport read = converter.fromPayload(payload, SchemaReport.class, SchemaReport.class);

    assertThat(read.results()).isNull();
    assertThat(read.warnings()).containsExactly("DB: a warning");
  }

  @Test
  void onlyChecksThatWarnedOrBlockedAreWorthReportingAndWithoutTheirInfoFindings() {
    CheckFinding info = new CheckFinding(CheckFinding.INFO, "DB", "0002_b.sql", "ADDITIVE", "adds a column", null);
    CheckFinding warning = new CheckFinding(CheckFinding.WARNING, "DB", "0003_c.sql", "undecided", "could not", null);
    List<CheckResult> results = List.of(
        new CheckResult("policies", CheckResult.PASSED, null, List.of(info), null),
        new CheckResult("data", CheckResult.WARNED, null, List.of(info, warning), "see the restore point"),
        new CheckResult("rollout", CheckResult.SKIPPED, null, List.of(info), null));

    assertThat(CheckResult.worthReporting(results)).containsExactly(
        new CheckResult("data", CheckResult.WARNED, null, List.of(warning), "see the restore point"));
    assertThat(CheckResult.worthReporting(null)).isEmpty();
  }

  @Test
  void restorePointRecordedBeforeExportsExistedReadsWithoutOne() {
    Payload payload = jsonPayload("{\"binding\":\"DB\",\"location\":\"/cp/DB.sql\"}");

    assertThat(converter.fromPayload(payload, RestorePoint.class, RestorePoint.class))
        .isEqualTo(new RestorePoint("DB", "/cp/DB.sql", null));
  }

  @Test
  void rolloutRecordsSurviveTheDataConverterUnchanged() {
    UploadedVersion version = new UploadedVersion("v-1", "hello-d1", "https://hello-d1.acme.workers.dev", 2);
    TrafficShift shift = new TrafficShift("v-1", "v-0", 50);
    ShiftOutcome outcome = new ShiftOutcome("v-1 at 50 %, v-0 at 50 %", 1);

    assertThat(roundTrip(version, UploadedVersion.class)).isEqualTo(version);
    assertThat(roundTrip(shift, TrafficShift.class)).isEqualTo(shift);
    assertThat(roundTrip(outcome, ShiftOutcome.class)).isEqualTo(outcome);
  }

  @Test
  void requestWithOverridesSurvivesTheDataConverterUnchanged() {
    DeploymentRequest request = new DeploymentRequest("/p", "production", "local", "svc", null, "ada@host", false,
        List.of(new PolicyOverride("freeze", "hotfix"), new PolicyOverride("clean_tree", "hotfix")));

    assertThat(roundTrip(request, DeploymentRequest.class)).isEqualTo(request);
  }

  @Test
  void requestsRecordedBeforePoliciesReadWithoutOverrides() {
    String json = "{\"projectDir\":\"/p\",\"environment\":\"default\",\"target\":\"local\","
        + "\"service\":\"svc\",\"commit\":null,\"requestedBy\":\"r\",\"allowDestructive\":false}";
    Payload payload = jsonPayload(json);

    DeploymentRequest read = converter.fromPayload(payload, DeploymentRequest.class, DeploymentRequest.class);

    assertThat(read.overrides()).isNull();
  }

  @Test
  void aPlanWrittenBeforeRolloutsExistedReadsAsAllAtOnce() {
    String json = "{\"service\":\"hello-d1\",\"environment\":\"default\",\"target\":\"local\","
        + "\"attempt\":1,\"allowDestructive\":false,\"onDrift\":\"warn\"}";
    Payload payload = jsonPayload(json);

    DeploymentPlan read = converter.fromPayload(payload, DeploymentPlan.class, DeploymentPlan.class);

    assertThat(read.rollout()).isNull();
    assertThat(read.policy()).isNull();
    assertThat(read.cloudflare()).isNull();
    assertThat(read.onDrift()).isEqualTo("warn");
  }

  @Test
  void fieldsAddedByALaterVersionAreIgnored() {
    String json = "{\"name\":\"0001_a.sql\",\"sha256\":\"ff\",\"appliedBy\":\"a later version\"}";
    Payload payload = jsonPayload(json);

    MigrationFile read = converter.fromPayload(payload, MigrationFile.class, MigrationFile.class);

    assertThat(read).isEqualTo(new MigrationFile("0001_a.sql", "ff"));
  }

  @Test
  void aSmokeCheckRecordedBeforeStatusBoundsReadsWithoutOne() {
    String json = "{\"path\":\"/health\",\"expectStatus\":null,\"expectBodyContains\":\"ok\"}";
    Payload payload = jsonPayload(json);

    SmokeCheck read = converter.fromPayload(payload, SmokeCheck.class, SmokeCheck.class);

    assertThat(read).isEqualTo(new SmokeCheck("/health", null, "ok", null));
    assertThat(read.acceptsStatus(204)).isTrue();
    assertThat(read.acceptsStatus(404)).isFalse();
  }

  @Test
  void lockRecordsSurviveTheDataConverterUnchanged() {
    LockHolder api = new LockHolder("deploy:local:api:default", "run-1", "api", "default", "DB");
    LockHolder admin = new LockHolder("deploy:local:admin:default", "run-2", "admin", "default", "USERS");

    assertThat(roundTrip(new LockRequest("d1-lock:local:x", "flaredeploy", "notes-db (x, local)", api),
        LockRequest.class)).isEqualTo(new LockRequest("d1-lock:local:x", "flaredeploy", "notes-db (x, local)", api));
    assertThat(roundTrip(new LockTicket("d1-lock:local:x", false, api, 1), LockTicket.class))
        .isEqualTo(new LockTicket("d1-lock:local:x", false, api, 1));
    assertThat(roundTrip(new LockGrant("d1-lock:local:x", api, "released it"), LockGrant.class))
        .isEqualTo(new LockGrant("d1-lock:local:x", api, "released it"));
    LockState state = new LockState(api, "2026-01-01T00:00:00Z", List.of(admin), admin, "released it");
    assertThat(roundTrip(state, LockState.class)).isEqualTo(state);
    assertThat(roundTrip(LockState.FREE, LockState.class)).isEqualTo(LockState.FREE);
  }

  @Test
  void aRestorePointKeepsItsLedgersAndOneRecordedBeforeReadsWithout() {
    RestorePoint point = new RestorePoint("DB", "/c/DB.sqlite", null, List.of("0001_a.sql"), List.of("0001_a.sql",
        "0002_b.sql"));
    assertThat(roundTrip(point, RestorePoint.class)).isEqualTo(point);

    RestorePoint old = converter.fromPayload(jsonPayload("{\"binding\":\"DB\",\"location\":\"/c/DB.sql\"}"),
        RestorePoint.class, RestorePoint.class);
    assertThat(old.ledger()).isNull();
    assertThat(old.divergence(List.of("0001_a.sql", "0009_z.sql"), List.of()).isEmpty())
        .as("a restore point that does not know its ledger compares nothing").isTrue();
  }

  @Test
  void aRestorePointTellsWhatOthersChangedSinceIt() {
    RestorePoint taken = new RestorePoint("DB", "/c/DB.sqlite").withLedger(List.of("0001_a.sql"));
    List<String> planned = List.of("0001_a.sql", "0002_b.sql");

    assertThat(taken.divergence(List.of("0001_a.sql", "0002_b.sql"), planned).isEmpty())
        .as("its own migration, apply not finished").isTrue();
    assertThat(taken.divergence(List.of("0001_a.sql"), planned).isEmpty()).as("already restored").isTrue();
    RestorePoint.Divergence other = taken.divergence(List.of("0001_a.sql", "0002_b.sql", "0003_c.sql"), planned);
    assertThat(other.added()).containsExactly("0003_c.sql");
    assertThat(other.removed()).isEmpty();
    assertThat(taken.divergence(List.of(), planned).removed()).containsExactly("0001_a.sql");

    RestorePoint applied = taken.afterApply(List.of("0001_a.sql", "0002_b.sql"));
    assertThat(applied.divergence(List.of("0001_a.sql", "0002_b.sql"), planned).isEmpty()).isTrue();
    assertThat(applied.divergence(List.of("0001_a.sql", "0002_b.sql", "0002_c.sql"), List.of()).added())
        .containsExactly("0002_c.sql");
  }

  /** A payload as a worker of an earlier or later version wrote it. */
  @Test
  void productionControlRecordsSurviveTheDataConverterUnchanged() {
    var digest = new dev.flaredeploy.workflows.model.PlanDigest("0123456789abcdef", "src", List.of("DB/0002.sql sha256:b2"),
        "live", List.of("drift"), List.of("freeze: hotfix"));
    var approval = new dev.flaredeploy.workflows.model.ApprovalReport("APPROVED", digest, "why", null, null,
        List.of("ada"), List.of(new dev.flaredeploy.workflows.model.ApprovalRecord("approved", "ada@h", "2026-01-01T00:00:00Z",
            "0123456789abcdef", "ok")));
    var target = new dev.flaredeploy.workflows.model.NotifyTarget("HOOK", List.of("failed"), "slack");
    var notification = new dev.flaredeploy.workflows.model.Notification(target, "k", "failed", "deploy:local:s:default",
        "r", "s", "default", "local", "FAILED", "sum", null, "hint");
    var record = new dev.flaredeploy.workflows.model.ReleaseRecord("deployment", "src", "v1", "http://x", "at", "c",
        false, "ada@h", "deploy:local:s:default", "r", null, List.of(new dev.flaredeploy.workflows.model.ReleaseRecord
            .DatabaseChange("DB", List.of("0002.sql"), List.of("0001.sql", "0002.sql"), new RestorePoint("DB", "/cp"))), null);
    var request = new dev.flaredeploy.workflows.model.RollbackRequest("local", "s", "default", "src", true, "ada@h");
    var decision = new dev.flaredeploy.workflows.model.ApprovalDecision("0123456789abcdef", "ada@h", null);

    assertThat(roundTrip(approval, dev.flaredeploy.workflows.model.ApprovalReport.class)).isEqualTo(approval);
    assertThat(roundTrip(notification, dev.flaredeploy.workflows.model.Notification.class)).isEqualTo(notification);
    assertThat(roundTrip(record, dev.flaredeploy.workflows.model.ReleaseRecord.class)).isEqualTo(record);
    assertThat(roundTrip(request, dev.flaredeploy.workflows.model.RollbackRequest.class)).isEqualTo(request);
    assertThat(roundTrip(decision, dev.flaredeploy.workflows.model.ApprovalDecision.class)).isEqualTo(decision);
  }

  private static Payload jsonPayload(String json) {
    return Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFrom(json, StandardCharsets.UTF_8))
        .build();
  }

  private <T> T roundTrip(T value, Class<T> type) {
    Optional<Payload> payload = converter.toPayload(value);
    return converter.fromPayload(payload.orElseThrow(), type, type);
  }
}
