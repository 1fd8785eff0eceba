package dev.flaredeploy.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.workflows.model.ChecksumProblem;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DatabaseReport;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.ErrorReport;
import dev.flaredeploy.workflows.model.LocalSettings;
import dev.flaredeploy.workflows.model.MigrationAllowance;
import dev.flaredeploy.workflows.model.MigrationCheck;
import dev.flaredeploy.workflows.model.MigrationFile;
import dev.flaredeploy.workflows.model.ReleaseReport;
import dev.flaredeploy.workflows.model.SchemaReport;
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
        new SourceSnapshot("abc", "/s/abc", "c0ffee", true, "/p/hello-d1"), "wrangler.toml",
        List.of(new DatabasePlan("DB", "db", "id", "migrations", "d1_migrations",
            List.of(new MigrationFile("0001_a.sql", "ff")))),
        new SmokePlan(30_000, List.of(new SmokeCheck("/health", 200, "healthy")), "https://hello.example.com"),
        List.of("apply-migrations"), new LocalSettings(8787), 1, true, "fail",
        List.of(new MigrationAllowance("0003_drop_legacy.sql", "DB", "the legacy column is unused since v2"),
            new MigrationAllowance("0004_rename.sql", null, "no reader left")));

    assertThat(roundTrip(plan, DeploymentPlan.class)).isEqualTo(plan);
  }

  @Test
  void schemaReportWithChecksumProblemsSurvivesTheDataConverterUnchanged() {
    SchemaReport report = new SchemaReport(
        List.of(new DatabaseStatus("DB", List.of("0001_a.sql", "0002_b.sql"), List.of())), "abc", 1,
        List.of(new MigrationCheck("DB", "0003_c.sql", "DESTRUCTIVE", false, List.of("drops column t.x"), null)),
        List.of("DB: a warning"), List.of(),
        List.of(new ChecksumProblem("DB", "0001_a.sql", ChecksumProblem.EDITED, "aa", "bb", "2026-01-01 00:00:00",
                "0001_a.sql was edited"),
            new ChecksumProblem("DB", "0002_b.sql", ChecksumProblem.VANISHED, null, null, null, "gone")));

    assertThat(roundTrip(report, SchemaReport.class)).isEqualTo(report);
  }

  @Test
  void reportSurvivesTheDataConverterUnchanged() {
    DeploymentReport report = new DeploymentReport("deploy:local:s:default", "run", "s", "default",
        "local", "c0ffee", false, "abc", "ROLLED_BACK", "smoke-test failed",
        List.of(new StepReport("prepare", "SUCCEEDED", 1, "t0", "t1", "ok")),
        List.of(new DatabaseReport("DB", List.of("0002.sql"), List.of(), "/cp/DB.sql")),
        new ReleaseReport("abc", "def", "http://127.0.0.1:8787"),
        new ErrorReport("smoke-test", "SmokeTestFailed", "503"), List.of(), "t0", "t9");

    assertThat(roundTrip(report, DeploymentReport.class)).isEqualTo(report);
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
