package dev.flaredeploy.cli;

import dev.flaredeploy.cli.client.Deployments;
import dev.flaredeploy.cli.client.HistoryEntry;
import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.PolicyOverride;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "history", mixinStandardHelpOptions = true,
    description = {"Every step and compensation of the latest run, with its attempts and failures, and who",
        "started it with which policy overrides (--override) and reasons."})
class HistoryCommand implements Callable<Integer> {
  @ParentCommand FlaredeployCommand root;

  @Parameters(paramLabel = "ID", description = "deployment id")
  String id;

  @Override
  public Integer call() {
    try (TemporalConnection connection = Connections.connect(root)) {
      Deployments deployments = Connections.deployments(root, connection);
      DeploymentReport report = deployments.status(DeploymentIdArgument.check(id));
      List<HistoryEntry> entries = deployments.history(id);
      Optional<DeploymentRequest> request = deployments.request(id);
      List<PolicyOverride> overrides = request.map(DeploymentRequest::overrides).orElse(null);
      if (root.output == FlaredeployCommand.OutputFormat.json) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", report.id());
        out.put("runId", report.runId());
        out.put("state", report.state());
        out.put("requestedBy", request.map(DeploymentRequest::requestedBy).orElse(null));
        out.put("overrides", overrides == null ? List.of() : overrides);
        out.put("steps", entries);
        System.out.println(Json.write(out));
      } else {
        System.out.println(report.id() + " (run " + report.runId() + "): " + report.state() + " — " + report.summary());
        request.ifPresent(r -> System.out.println("  requested by " + r.requestedBy()));
        if (overrides != null) {
          overrides.forEach(o -> System.out.println("  override " + o.rule() + ": " + o.reason()));
        }
        for (HistoryEntry e : entries) {
          System.out.printf("  %s%-18s %-10s %d attempt%s  %s%n", e.compensation() ? "↺ " : "  ", e.step(), e.state(),
              e.attempts(), e.attempts() == 1 ? " " : "s", e.summary());
          for (int i = 0; i < e.failures().size(); i++) {
            System.out.println("        failure " + (i + 1) + ": " + e.failures().get(i));
          }
        }
      }
      return ExitCode.SUCCEEDED;
    }
  }
}
