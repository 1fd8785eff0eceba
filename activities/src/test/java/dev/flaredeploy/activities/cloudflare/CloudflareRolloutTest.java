package dev.flaredeploy.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.flaredeploy.activities.DeploymentActivitiesImpl;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.smoke.SmokeChecker;
import dev.flaredeploy.activities.source.SourceSnapshots;
import dev.flaredeploy.activities.testing.ExampleProjects;
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
  private static final String QUEUE = "cloudflare-rollout";
  private static final String WORKER = "hello-d1";
  /** database_id of binding DB in examples/hello-d1/wrangler.toml (top level). */
  private static final String DB_ID = "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c01";
  private static final Pattern OVERRIDE = Pattern.compile("hello-d1=\"([0-9a-f-]+)\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;

  private final String token = "cfut_" + randomHex(20);
  private final String account = randomHex(16);
  private CloudflareApiRecorder recorder;
  private HttpServer route;
  /** the new version fails its checks once it has at least this share of the traffic (above 100: never) */
  private volatile double failFromPercent = 101;
  /** the version override of every smoke request, null when it had none */
  private final List<String> overrides = Collections.synchronizedList(new ArrayList<>());
  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private Path project;
  private String smokeToml;
  private final List<WorkflowStub> runs = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    recorder = CloudflareApiRecorder.start(token, account).database(DB_ID, "hello-d1-db");
    route = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    route.createContext("/health", exchange -> {
      String header = exchange.getRequestHeaders().getFirst(CloudflareTarget.VERSION_OVERRIDES);
      overrides.add(header);
      Matcher version = header == null ? null : OVERRIDE.matcher(header);
      double share = version != null && version.matches()
          ? recorder.liveSplit(WORKER).getOrDefault(version.group(1), 0.0) : 0;
      int status = version != null && version.matches() && share >= failFromPercent ? 503 : 200;
      byte[] body = (status == 200 ? "{\"status\":\"healthy\"}" : "{\"status\":\"overloaded\"}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    route.start();

    project = ExampleProjects.copy("hello-d1", home.resolve("project"));
    smokeToml = """
        [smoke]
        timeout = "2s"
        base_url = "http://127.0.0.1:%d"

        [[smoke.check]]
        path = "/health"
        expect_status = 200
        expect_body_contains = "healthy"
        """.formatted(route.getAddress().getPort());
    Files.writeString(project.resolve("flaredeploy.toml"), smokeToml);

    SourceSnapshots sources = new SourceSnapshots(home.resolve("snapshots"), new ProcessRunner());
    CloudflareTarget cloudflare = new CloudflareTarget(ExampleProjects.pinnedWrangler(logDir()), sources, Map.of(
        CloudflareCredentials.TOKEN, token,
        CloudflareCredentials.ACCOUNT_ID, account,
        CloudflareCredentials.API_BASE_URL, recorder.baseUrl()));
    DeploymentActivitiesImpl activities = new DeploymentActivitiesImpl(
        sources, new ProjectConfigLoader(), Map.of("cloudflare", cloudflare), new SmokeChecker());

    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder()
        .setUseTimeskipping(false); // real activities take real seconds: no timeout may be skipped past
    DeploymentAttributes.ALL.forEach(
        k -> options.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    env = TestWorkflowEnvironment.newInstance(options.build());
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(DeploymentWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities);
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void tearDown() throws IOException {
    try {
      for (WorkflowStub run : runs) {
        String id = run.getExecution().getWorkflowId();
        String runId = run.getExecution().getRunId();
        assertThat(client.fetchHistory(id, runId).toJson(true)).as("history of run %s", runId)
            .isNotBlank().doesNotContain(token);
        assertThat(JSON.writeValueAsString(memo(run))).as("memo report of run %s", runId)
            .doesNotContain(token);
      }
      assertThat(logFilesContaining(token)).as("wrangler logs").isEmpty();
    } finally {
      env.close();
      route.stop(0);
      recorder.close();
    }
  }

  @Test
  void rolloutThatFailsItsChecksAtFiftyPercentSendsAllTrafficBackToThePreviousVersion() throws IOException {
    String previous = firstReleaseThenANewSourceWithARollout();
    failFromPercent = 50;

    DeploymentReport report = deployExpectingFailure();

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

    DeploymentReport report = deploy();

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
  }

  // ---- helpers ----

  /**
   * Deploys hello-d1 once (all at once: a first release has nothing to split traffic with), then changes
   * its source and adds {@code [rollout] steps = [10, 50, 100]}, soak 1s. Returns the version live now.
   */
  private String firstReleaseThenANewSourceWithARollout() throws IOException {
    DeploymentReport first = deploy();
    assertThat(first.state()).as(first.summary()).isEqualTo("SUCCEEDED");
    String previous = single(recorder.liveSplit(WORKER));
    Files.writeString(project.resolve("flaredeploy.toml"), smokeToml + """

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

  private DeploymentReport deploy() {
    WorkflowStub stub = start();
    stub.getResult(DeploymentReport.class);
    return memo(stub);
  }

  private DeploymentReport deployExpectingFailure() {
    WorkflowStub stub = start();
    assertThatThrownBy(() -> stub.getResult(DeploymentReport.class)).isInstanceOf(WorkflowFailedException.class);
    return memo(stub);
  }

  private WorkflowStub start() {
    DeploymentWorkflow workflow = client.newWorkflowStub(DeploymentWorkflow.class,
        WorkflowOptions.newBuilder()
            .setTaskQueue(QUEUE)
            .setWorkflowId(DeploymentIds.workflowId("cloudflare", WORKER, "default"))
            .setTypedSearchAttributes(SearchAttributes.newBuilder()
                .set(DeploymentAttributes.SERVICE, WORKER)
                .set(DeploymentAttributes.STATE, "RUNNING")
                .build())
            .build());
    WorkflowClient.start(workflow::deploy,
        new DeploymentRequest(project.toString(), "default", "cloudflare", WORKER, null, "test", false,
            List.of()));
    WorkflowStub stub = WorkflowStub.fromTyped(workflow);
    runs.add(stub);
    return stub;
  }

  private DeploymentReport memo(WorkflowStub stub) {
    return client.newUntypedWorkflowStub(stub.getExecution().getWorkflowId(),
            Optional.of(stub.getExecution().getRunId()), Optional.empty())
        .describe().getMemo(DeploymentAttributes.REPORT_MEMO, DeploymentReport.class, DeploymentReport.class);
  }

  private static String single(Map<String, Double> split) {
    assertThat(split).hasSize(1);
    return split.keySet().iterator().next();
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
