package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.testkit.CloudflareApiRecorder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
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
import dev.flaredeploy.workflows.model.RolloutStepReport;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.groups.Tuple;
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
 * A gradual rollout on the Cloudflare target, end to end: the real workflow on Temporal's test server, the
 * real activities and {@link CloudflareTarget} driving the pinned wrangler against {@link
 * CloudflareApiRecorder}, and smoke checks sent to {@code [smoke] base_url}: a server on 127.0.0.1 standing
 * in for the Worker's route, which answers as the version named in the request's {@code
 * Cloudflare-Workers-Version-Overrides} header would, given the share of the traffic the recorder says that
 * version has. Asserts the exact traffic splits wrangler sent to the deployments endpoint. After every test,
 * the token is in no run's history, memo report or wrangler log.
 */
class CloudflareRolloutTest {
  private static final String WORKER = CloudflarePipeline.WORKER;
  private static final String DB_ID = CloudflarePipeline.DB_ID;
  private static final Pattern OVERRIDE = Pattern.compile("hello-d1=\"([0-9a-f-]+)\"");

  @TempDir Path home;

  /** the new version fails its checks once it has at least this share of the traffic (above 100: never) */
  private volatile double failFromPercent = 101;
  /** the version override of every smoke request, null when it had none */
  private final List<String> overrides = Collections.synchronizedList(new ArrayList<>());
  private CloudflarePipeline pipeline;
  private CloudflareApiRecorder recorder;
  private Path project;

  @BeforeEach
  void setUp() throws IOException {
    pipeline = new CloudflarePipeline(home, this::health);
    recorder = pipeline.recorder;
    project = pipeline.project;
  }

  @AfterEach
  void tearDown() throws IOException {
    pipeline.close(); // asserts the token is in no history, memo report or wrangler log
  }

  @Test
  void rolloutThatFailsItsChecksAtFiftyPercentSendsAllTrafficBackToThePreviousVersion() throws IOException {
    String previous = firstReleaseThenANewSourceWithARollout();
    failFromPercent = 50;

    DeploymentReport report = pipeline.deployExpectingFailure();

    assertThat(report.state()).as(report.summary()).isEqualTo("ROLLED_BACK");
    assertThat(report.error().step()).isEqualTo("soak");
    assertThat(report.error().type()).isEqualTo(FailureTypes.SMOKE_TEST_FAILED);
    assertThat(report.error().message()).contains("503", CloudflareTarget.VERSION_OVERRIDES);
    String uploaded = report.release().rollout().versionId();
    assertThat(uploaded).isNotEqualTo(previous);
    assertThat(splitsSent()).containsExactly(
        List.of(Map.entry(uploaded, 0), Map.entry(previous, 100)),   // in the deployment, no traffic: checked
        List.of(Map.entry(uploaded, 10), Map.entry(previous, 90)),
        List.of(Map.entry(uploaded, 50), Map.entry(previous, 50)),   // its checks fail here
        List.of(Map.entry(previous, 100)));                          // rollback-worker: wrangler rollback
    assertThat(recorder.liveSplit(WORKER)).containsExactly(Map.entry(previous, 100.0));
    assertThat(report.release().rollout().steps())
        .extracting(RolloutStepReport::percent, RolloutStepReport::result)
        .containsExactly(Tuple.tuple(0, "PASSED"), Tuple.tuple(10, "PASSED"), Tuple.tuple(50, "FAILED"),
            Tuple.tuple(100, "NOT_RUN"));
    assertThat(overrides).isNotEmpty().allMatch(h -> h.equals("hello-d1=\"" + uploaded + "\""));
    assertThat(recorder.unexpectedCalls()).isEmpty();
  }

  @Test
  void rolloutThatPassesEveryStepEndsWithTheNewVersionAtFullTraffic() throws IOException {
    String previous = firstReleaseThenANewSourceWithARollout();

    DeploymentReport report = pipeline.deploy();

    assertThat(report.state()).as(report.summary()).isEqualTo("SUCCEEDED");
    assertThat(report.summary()).contains("rolled out gradually (10 % → 50 % → 100 %)");
    String uploaded = report.release().rollout().versionId();
    assertThat(splitsSent()).containsExactly(
        List.of(Map.entry(uploaded, 0), Map.entry(previous, 100)),
        List.of(Map.entry(uploaded, 10), Map.entry(previous, 90)),
        List.of(Map.entry(uploaded, 50), Map.entry(previous, 50)),
        List.of(Map.entry(uploaded, 100)));
    assertThat(recorder.liveSplit(WORKER)).containsExactly(Map.entry(uploaded, 100.0));
    assertThat(recorder.tagOf(WORKER, uploaded)).isEqualTo(report.source());
    assertThat(report.release().rollout().steps())
        .extracting(RolloutStepReport::percent, RolloutStepReport::result)
        .containsExactly(Tuple.tuple(0, "PASSED"), Tuple.tuple(10, "PASSED"), Tuple.tuple(50, "PASSED"),
            Tuple.tuple(100, "PASSED"));
    // the checks of the rollout reached the new version; the final smoke test went without an override
    assertThat(overrides).contains("hello-d1=\"" + uploaded + "\"").endsWith((String) null);
    assertThat(recorder.unexpectedCalls()).isEmpty();
    // what serves is read directly before every shift; wrangler only uploads and deploys versions
    assertThat(recorder.callLines()).noneMatch(line -> line.contains("/export"))
        .filteredOn(line -> line.startsWith("POST") && line.endsWith("/versions?bindings_inherit=strict"))
        .hasSize(1);
  }

  // ---- helpers ----

  /** A smoke request's status: 503 for the new version once it has failFromPercent of the traffic. */
  private int health(String override) {
    overrides.add(override);
    Matcher version = override == null ? null : OVERRIDE.matcher(override);
    double share = version != null && version.matches()
        ? recorder.liveSplit(WORKER).getOrDefault(version.group(1), 0.0) : 0;
    return version != null && version.matches() && share >= failFromPercent ? 503 : 200;
  }

  /**
   * Deploys hello-d1 once (all at once: a first release has nothing to split traffic with), then changes
   * its source and adds {@code [rollout] steps = [10, 50, 100]}, soak 1s. Returns the version live now.
   */
  private String firstReleaseThenANewSourceWithARollout() throws IOException {
    DeploymentReport first = pipeline.deploy();
    assertThat(first.state()).as(first.summary()).isEqualTo("SUCCEEDED");
    String previous = CloudflarePipeline.single(recorder.liveSplit(WORKER));
    Files.writeString(project.resolve("flaredeploy.toml"), pipeline.smokeToml + """

        [rollout]
        steps = [10, 50, 100]
        soak = "1s"
        """);
    Path index = project.resolve("src/index.js");
    Files.writeString(index, Files.readString(index) + "\n// a new release\n");
    recorder.clearCalls();
    overrides.clear();
    return previous;
  }

  /** The {@code versions} of every POST to the deployments endpoint, in order, as (version id, percent). */
  private List<List<Map.Entry<String, Integer>>> splitsSent() {
    return recorder.calls().stream()
        .filter(c -> c.method().equals("POST") && c.path().endsWith("/workers/scripts/" + WORKER + "/deployments"))
        .map(c -> {
          List<Map.Entry<String, Integer>> split = new ArrayList<>();
          for (JsonNode v : c.json().path("versions")) {
            split.add(Map.entry(v.path("version_id").asText(), v.path("percentage").asInt()));
          }
          return split;
        })
        .toList();
  }
}
