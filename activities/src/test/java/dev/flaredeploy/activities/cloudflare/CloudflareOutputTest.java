package dev.flaredeploy.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.activities.cloudflare.CloudflareOutput.MigrationError;
import dev.flaredeploy.activities.cloudflare.CloudflareOutput.TrafficSplit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsing of wrangler 4.86's output, on text captured from runs against the API recorder. */
class CloudflareOutputTest {

  @Test
  void readsLedgerNamesFromExecuteJson() {
    String stdout = "\n[\n  {\n    \"results\": [{\"name\": \"0001_a.sql\"}, {\"name\": \"0002_b.sql\"}],\n"
        + "    \"success\": true,\n    \"meta\": {\"served_by\": \"v3-prod\", \"duration\": 0.25}\n  }\n]\n";
    assertThat(CloudflareOutput.names(stdout)).contains(List.of("0001_a.sql", "0002_b.sql"));
  }

  @Test
  void readsTheSqliteMessageOfAFailedRemoteExecuteAndRecognisesAMissingLedger() {
    String stdout = "\n{\n  \"error\": {\n    \"text\": \"A request to the Cloudflare API (/accounts/acc/d1/database/x/query)"
        + " failed.\",\n    \"notes\": [{\"text\": \"no such table: d1_migrations: SQLITE_ERROR [code: 7500]\"}],\n"
        + "    \"kind\": \"error\",\n    \"name\": \"APIError\",\n    \"code\": 7500\n  }\n}\n";
    String error = CloudflareOutput.executeError(stdout).orElseThrow();
    assertThat(error).startsWith("no such table: d1_migrations: SQLITE_ERROR [code: 7500]\nA request to");
    assertThat(CloudflareOutput.isMissingTable(error, "d1_migrations")).isTrue();
    assertThat(CloudflareOutput.isMissingTable(error, "schema_history")).isFalse();
  }

  @Test
  void readsWhichMigrationFailedAndWhyFromStderr() {
    String stderr = "✘ [ERROR] Migration 0002_add_author.sql failed with the following errors:\n\n\n"
        + "✘ [ERROR] duplicate column name: author: SQLITE_ERROR [code: 7500]\n\n\n"
        + "🪵  Logs were written to \"/tmp/logs/wrangler.log\"\n";
    MigrationError error = CloudflareOutput.migrationError("", stderr).orElseThrow();
    assertThat(error).isEqualTo(
        new MigrationError("0002_add_author.sql", "duplicate column name: author: SQLITE_ERROR [code: 7500]"));
    assertThat(error.isSqlError()).isTrue();
  }

  @Test
  void fallsBackToTheFailedRowOfTheStatusTableAndTellsATimeoutFromAnSqlError() {
    String stdout = "│ 0001_a.sql │ ✅     │\n├───┤\n│ 0002_b.sql │ ❌     │\n└───┘\n";
    String stderr = "✘ [ERROR] A request to the Cloudflare API (/accounts/a/d1/database/x/query) failed.\n\n"
        + "  504 Gateway Time-out\n";
    MigrationError error = CloudflareOutput.migrationError(stdout, stderr).orElseThrow();
    assertThat(error.file()).isEqualTo("0002_b.sql");
    assertThat(error.error()).contains("504 Gateway Time-out");
    assertThat(error.isSqlError()).isFalse();
    assertThat(CloudflareOutput.migrationError("", "✘ [ERROR] Unknown argument: yes")).isEmpty();
  }

  @Test
  void readsTheTrafficSplitOfDeploymentsStatus() {
    String stdout = "{\"id\": \"dep-1\", \"strategy\": \"percentage\", \"versions\": ["
        + "{\"version_id\": \"new\", \"percentage\": 10}, {\"version_id\": \"old\", \"percentage\": 90}]}";
    TrafficSplit split = CloudflareOutput.deployment(stdout).orElseThrow();
    assertThat(split.fullVersion()).isEmpty();
    assertThat(split.largestShare()).contains("old");
    assertThat(split.describe()).isEqualTo("new at 10 %, old at 90 %");
    Map<String, Double> full = new LinkedHashMap<>();
    full.put("v1", 100.0);
    assertThat(new TrafficSplit("d", full).servesFully("v1")).isTrue();
    assertThat(CloudflareOutput.hasNoDeployments("✘ [ERROR] The Worker hello has no deployments.")).isTrue();
  }

  @Test
  void findsTheNewestVersionCarryingATag() {
    String stdout = "[{\"id\": \"a\", \"metadata\": {\"created_on\": \"2026-01-01T00:01:00Z\"},"
        + " \"annotations\": {\"workers/tag\": \"src1\"}},"
        + " {\"id\": \"b\", \"metadata\": {\"created_on\": \"2026-01-01T00:03:00Z\"},"
        + " \"annotations\": {\"workers/tag\": \"src1\"}},"
        + " {\"id\": \"c\", \"metadata\": {\"created_on\": \"2026-01-01T00:02:00Z\"}, \"annotations\": {}}]";
    assertThat(CloudflareOutput.newestTagged(stdout, "src1")).contains("b");
    assertThat(CloudflareOutput.newestTagged(stdout, "src2")).isEmpty();
    assertThat(CloudflareOutput.newestTagged("[]", "src1")).isEmpty();
    assertThat(CloudflareOutput.isJsonArray("[]")).isTrue();
  }

  @Test
  void derivesTheWorkersDevUrlFromAVersionPreviewUrl() {
    assertThat(CloudflareOutput.workersDevUrl("https://ebcbcf42-hello-d1.acme.workers.dev", "hello-d1"))
        .contains("https://hello-d1.acme.workers.dev");
    assertThat(CloudflareOutput.workersDevUrl("https://ebcbcf42-other.acme.workers.dev", "hello-d1")).isEmpty();
    assertThat(CloudflareOutput.workersDevUrl(null, "hello-d1")).isEmpty();
  }

  @Test
  void complaintKeepsWranglersErrorLinesWithoutDecoration() {
    String stderr = "▲ [WARNING] Multiple environments are defined\n"
        + "✘ [ERROR] A request to the Cloudflare API (/accounts/a/workers/scripts/w/deployments) failed.\n\n"
        + "  This Worker does not exist on your account. [code: 10007]\n  \n"
        + "  If you think this is a bug, please open an issue at: https://github.com/cloudflare/workers-sdk\n\n"
        + "🪵  Logs were written to \"/tmp/x.log\"\n";
    assertThat(CloudflareOutput.complaint("", stderr)).isEqualTo(
        "A request to the Cloudflare API (/accounts/a/workers/scripts/w/deployments) failed.\n"
            + "This Worker does not exist on your account. [code: 10007]");
  }
}
