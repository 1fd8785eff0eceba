package dev.flaredeploy.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseReport;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.FreezeWindow;
import dev.flaredeploy.workflows.model.PolicyOverride;
import dev.flaredeploy.workflows.model.PolicyResult;
import dev.flaredeploy.workflows.model.PolicySettings;
import dev.flaredeploy.workflows.model.SchemaReport;
import dev.flaredeploy.workflows.model.ErrorReport;
import dev.flaredeploy.workflows.model.LocalSettings;
import dev.flaredeploy.workflows.model.MigrationFile;
import dev.flaredeploy.workflows.model.ReleaseReport;
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
  void planSurvivesTheDataConverterUnchanged() {
    DeploymentPlan plan = new DeploymentPlan("hello-d1", "default", "local",
        new SourceSnapshot("abc", "/s/abc", "c0ffee", true, "/p/hello-d1", List.of("main", "release/1")), "wrangler.toml",
        List.of(new DatabasePlan("DB", "db", "id", "migrations", "d1_migrations",
            List.of(new MigrationFile("0001_a.sql", "ff")))),
        new SmokePlan(30_000, List.of(new SmokeCheck("/health", 200, "healthy")), "https://hello.example.com"),
        List.of("apply-migrations"), new LocalSettings(8787), 1, true, "fail",
        new PolicySettings(
            List.of(new FreezeWindow("friday", "weekend ahead", List.of("friday"), "12:00", "24:00", "UTC",
                    null, null),
                new FreezeWindow("holidays", null, null, null, null, null,
                    "2025-12-20T00:00:00Z", "2026-01-05T00:00:00Z")),
            List.of("main", "release/*"), true, List.of("API_KEY"),
            List.of(new PolicyOverride("freeze", "hotfix for INC-42"))));

    assertThat(roundTrip(plan, DeploymentPlan.class)).isEqualTo(plan);
  }

  @Test
  void reportSurvivesTheDataConverterUnchanged() {
    DeploymentReport report = new DeploymentReport("deploy:local:s:default", "run", "s", "default",
        "local", "c0ffee", false, "abc", "ROLLED_BACK", "smoke-test failed",
        List.of(new StepReport("prepare", "SUCCEEDED", 1, "t0", "t1", "ok")),
        List.of(new DatabaseReport("DB", List.of("0002.sql"), List.of(), "/cp/DB.sql")),
        new ReleaseReport("abc", "def", "http://127.0.0.1:8787"),
        new ErrorReport("smoke-test", "SmokeTestFailed", "503"), List.of(), "t0", "t9",
        List.of(new PolicyOverride("branches", "release from a hotfix branch")));

    assertThat(roundTrip(report, DeploymentReport.class)).isEqualTo(report);
  }

  @Test
  void requestWithOverridesSurvivesTheDataConverterUnchanged() {
    DeploymentRequest request = new DeploymentRequest("/p", "production", "local", "svc", null, "ada@host", false,
        List.of(new PolicyOverride("freeze", "hotfix"), new PolicyOverride("clean_tree", "hotfix")));

    assertThat(roundTrip(request, DeploymentRequest.class)).isEqualTo(request);
  }

  @Test
  void schemaReportWithPolicyResultsSurvivesTheDataConverterUnchanged() {
    SchemaReport report = new SchemaReport(List.of(new DatabaseStatus("DB", List.of("0001.sql"), List.of())),
        "abc", 1, List.of(), List.of(), List.of(),
        List.of(new PolicyResult("freeze", "overridden", "friday is in effect", "hotfix"),
            new PolicyResult("branches", "passed", "main is allowed", null)));

    assertThat(roundTrip(report, SchemaReport.class)).isEqualTo(report);
  }

  @Test
  void requestsAndPlansRecordedBeforePoliciesReadWithoutThem() {
    String json = "{\"projectDir\":\"/p\",\"environment\":\"default\",\"target\":\"local\","
        + "\"service\":\"svc\",\"commit\":null,\"requestedBy\":\"r\",\"allowDestructive\":false}";
    Payload payload = Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFrom(json, StandardCharsets.UTF_8))
        .build();

    DeploymentRequest read = converter.fromPayload(payload, DeploymentRequest.class, DeploymentRequest.class);

    assertThat(read.overrides()).isNull();
  }

  @Test
  void fieldsAddedByALaterVersionAreIgnored() {
    String json = "{\"name\":\"0001_a.sql\",\"sha256\":\"ff\",\"appliedBy\":\"a later version\"}";
    Payload payload = Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFrom(json, StandardCharsets.UTF_8))
        .build();

    MigrationFile read = converter.fromPayload(payload, MigrationFile.class, MigrationFile.class);

    assertThat(read).isEqualTo(new MigrationFile("0001_a.sql", "ff"));
  }

  private <T> T roundTrip(T value, Class<T> type) {
    Optional<Payload> payload = converter.toPayload(value);
    return converter.fromPayload(payload.orElseThrow(), type, type);
  }
}
