package dev.flaredeploy.activities.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.flaredeploy.activities.DeploymentActivitiesImpl;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.Wrangler;
import dev.flaredeploy.activities.releases.ReleaseActivitiesImpl;
import dev.flaredeploy.activities.releases.ReleaseJournal;
import dev.flaredeploy.activities.smoke.SmokeChecker;
import dev.flaredeploy.activities.source.SourceSnapshots;
import dev.flaredeploy.testkit.CloudflareApiRecorder;
import dev.flaredeploy.testkit.ExampleProjects;
import dev.flaredeploy.testkit.HistoryText;
import dev.flaredeploy.workflows.DeploymentAttributes;
import dev.flaredeploy.workflows.DeploymentIds;
import dev.flaredeploy.workflows.DeploymentWorkflow;
import dev.flaredeploy.workflows.Workflows;
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
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The whole pipeline on the Cloudflare target, for one test: the real workflow on Temporal's test server,
 * the real activities and {@link CloudflareTarget} driving the pinned wrangler against a {@link
 * CloudflareApiRecorder} with a random token, and a copy of examples/hello-d1 whose smoke checks go to a
 * server on 127.0.0.1 standing in for the Worker's route. {@link #close()} asserts that the token is in no
 * run's history (every payload decoded: inputs, results, failures, memo, search attributes, heartbeat
 * details), memo report or wrangler log, then stops everything.
 */
final class CloudflarePipeline implements AutoCloseable {
  static final String WORKER = "hello-d1";
  /** database_id of binding DB in examples/hello-d1/wrangler.toml (top level). */
  static final String DB_ID = "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c01";
  private static final String QUEUE = "cloudflare-pipeline";
  private static final ObjectMapper JSON = new ObjectMapper();

  final String token = "cfut_" + randomHex(20);
  final String account = randomHex(16);
  final CloudflareApiRecorder recorder;
  final Path home;
  final Path project;
  /** What the project's flaredeploy.toml holds at the start: the smoke checks of GET /health. */
  final String smokeToml;
  private final HttpServer route;
  private final TestWorkflowEnvironment env;
  private final WorkflowClient client;
  private final List<WorkflowStub> runs = new ArrayList<>();

  /**
   * @param home a fresh folder: the flaredeploy home, snapshots, wrangler logs and the project copy
   * @param health the status of each smoke request to /health, given its {@code
   *     Cloudflare-Workers-Version-Overrides} header (null without one)
   */
  CloudflarePipeline(Path home, Function<String, Integer> health) throws IOException {
    this(home, health, new ProcessRunner());
  }

  /** As above, with the process runner wrangler runs through (a benchmark counts the processes). */
  CloudflarePipeline(Path home, Function<String, Integer> health, ProcessRunner processes) throws IOException {
    this.home = home;
    recorder = CloudflareApiRecorder.start(token, account).database(DB_ID, "hello-d1-db");
    route = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    route.createContext("/health", exchange -> {
      int status = health.apply(exchange.getRequestHeaders().getFirst(CloudflareTarget.VERSION_OVERRIDES));
      byte[] body = (status == 200 ? "{\"status\":\"healthy\"}" : "{\"status\":\"unhealthy\"}")
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
    Wrangler wrangler = new Wrangler(List.of(ExampleProjects.pinnedWrangler().toString()), processes, logDir());
    CloudflareTarget cloudflare = new CloudflareTarget(wrangler, sources, Map.of(
        CloudflareCredentials.TOKEN, token,
        CloudflareCredentials.ACCOUNT_ID, account,
        CloudflareCredentials.API_BASE_URL, recorder.baseUrl(),
        "FLAREDEPLOY_HOME", home.toString()));
    DeploymentActivitiesImpl activities = new DeploymentActivitiesImpl(
        sources, new ProjectConfigLoader(), Map.of("cloudflare", cloudflare), new SmokeChecker());

    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder()
        .setUseTimeskipping(false); // real activities take real seconds: no timeout may be skipped past
    DeploymentAttributes.ALL.forEach(
        k -> options.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    env = TestWorkflowEnvironment.newInstance(options.build());
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(Workflows.IMPLEMENTATIONS.toArray(Class<?>[]::new));
    // as a worker has them: the database locks and the release journal beside the deployment's activities
    worker.registerActivitiesImplementations(activities, Workflows.lockActivities(env.getWorkflowClient()),
        new ReleaseActivitiesImpl(new ReleaseJournal(home), Map.of("cloudflare", cloudflare)));
    env.start();
    client = env.getWorkflowClient();
  }

  /** Deploys the project's default environment and waits for the report; the run must succeed. */
  DeploymentReport deploy() {
    WorkflowStub stub = start();
    stub.getResult(DeploymentReport.class);
    return memo(stub);
  }

  /** Deploys and waits; the run must fail. The report is read from its memo. */
  DeploymentReport deployExpectingFailure() {
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
        new DeploymentRequest(project.toString(), "default", "cloudflare", WORKER, null, "test", false, List.of()));
    WorkflowStub stub = WorkflowStub.fromTyped(workflow);
    runs.add(stub);
    return stub;
  }

  private DeploymentReport memo(WorkflowStub stub) {
    return client.newUntypedWorkflowStub(stub.getExecution().getWorkflowId(),
            Optional.of(stub.getExecution().getRunId()), Optional.empty())
        .describe().getMemo(DeploymentAttributes.REPORT_MEMO, DeploymentReport.class, DeploymentReport.class);
  }

  /** The one version of a traffic split that must hold exactly one. */
  static String single(Map<String, Double> split) {
    assertThat(split).hasSize(1);
    return split.keySet().iterator().next();
  }

  Path logDir() {
    return home.resolve("logs");
  }

  @Override
  public void close() throws IOException {
    try {
      for (WorkflowStub run : runs) {
        String id = run.getExecution().getWorkflowId();
        String runId = run.getExecution().getRunId();
        String history = client.fetchHistory(id, runId).toJson(true);
        assertThat(HistoryText.payloads(history)).as("decoded payloads of run %s", runId)
            .anyMatch(payload -> payload.contains("\"configFile\"")); // the plan: decoding works
        assertThat(HistoryText.of(history)).as("history of run %s, every payload decoded", runId)
            .doesNotContain(token);
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
