package dev.flaredeploy.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.activities.cloudflare.api.CloudflareApi.Deployment;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the Cloudflare target reads from wrangler's output and builds from what the API answered. */
class CloudflareOutputTest {
  @Test
  void aDeploymentsSplitNamesItsLargestShareAndWhetherOneVersionServesAll() {
    Map<String, Double> versions = new LinkedHashMap<>();
    versions.put("new", 10.0);
    versions.put("old", 90.0);
    TrafficSplit split = TrafficSplit.of(new Deployment("dep-1", "2026-01-01T00:00:00Z", versions));

    assertThat(split.fullVersion()).isEmpty();
    assertThat(split.largestShare()).contains("old");
    assertThat(split.describe()).isEqualTo("new at 10 %, old at 90 %");
    assertThat(new TrafficSplit("d", Map.of("v1", 100.0)).servesFully("v1")).isTrue();
    assertThat(split.sameAs(new TrafficSplit(null, Map.of("old", 90.0, "new", 10.0)))).isTrue();
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
