package dev.flaredeploy.cli;

import dev.flaredeploy.worker.DevServer;
import dev.flaredeploy.worker.SearchAttributeSetup;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.worker.TemporalSettings;
import dev.flaredeploy.workflows.DeploymentAttributes;
import dev.flaredeploy.workflows.DeploymentWorkflow;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.PolicyOverride;
import dev.flaredeploy.workflows.model.StepReport;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * BUILD ONLY: the run the build records a class-data sharing archive from ({@code java
 * -XX:ArchiveClassesAtExit=flaredeploy.jsa -cp flaredeploy.jar dev.flaredeploy.cli.CdsTraining}), so that the
 * launcher's {@code -XX:SharedArchiveFile} maps the classes of the short commands instead of loading and
 * verifying them on every run. It runs what {@code --help}, {@code status}, {@code list} and {@code history}
 * run, against a dev server in this JVM on a free port holding one deployment (with no worker). Nothing is
 * printed and nothing outside this process is touched.
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String address = "127.0.0.1:" + port;
    String id = "deploy:local:cds-training:default";
    try (DevServer server = DevServer.start(port);
        TemporalConnection connection = TemporalConnection.connect(
            TemporalSettings.load(address, null, Map.of()), Duration.ofSeconds(30))) {
      SearchAttributeSetup.ensure(connection.stubs(), connection.namespace());
      startADeployment(connection.client(), id);
      PrintWriter nowhere = new PrintWriter(OutputStream.nullOutputStream());
      CommandLine cli = FlaredeployCommand.commandLine(System.getenv(), Path.of(""));
      cli.setOut(nowhere);
      cli.setErr(nowhere);
      for (List<String> command : List.of(
          List.of("--help"),
          List.of("status", "--help"),
          List.of("status", id, "--address", address),
          List.of("status", id, "--address", address, "--output", "json"),
          List.of("list", "--address", address),
          List.of("list", "--address", address, "--output", "json"),
          List.of("history", id, "--address", address),
          List.of("history", id, "--address", address, "--output", "json"),
          List.of("status", "deploy:local:cds-training:unknown", "--address", address))) {
        cli.execute(command.toArray(String[]::new));
      }
    }
    System.exit(0);
  }

  /** A running deployment with a report in its memo, as a worker would have written it. */
  private static void startADeployment(WorkflowClient client, String id) throws IOException {
    DeploymentReport report = new DeploymentReport(id, null, "cds-training", "default", "local", "c0ffee", false,
        "0123456789abcdef", "RUNNING", "deploying", List.of(new StepReport("prepare", "SUCCEEDED", 1,
            "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "pinned the source")),
        List.of(), null, null, List.of(), "2026-01-01T00:00:00Z", null, List.of(), null, null, null);
    DeploymentWorkflow workflow = client.newWorkflowStub(DeploymentWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(id)
        .setTaskQueue("cds-training")
        .setMemo(Map.of(DeploymentAttributes.REPORT_MEMO, report))
        .setTypedSearchAttributes(SearchAttributes.newBuilder()
            .set(DeploymentAttributes.SERVICE, "cds-training").set(DeploymentAttributes.STATE, "RUNNING").build())
        .build());
    WorkflowClient.start(workflow::deploy, new DeploymentRequest("/nowhere", "default", "local", "cds-training", null,
        "training@build", false, List.of(new PolicyOverride("freeze", "training"))));
  }
}
