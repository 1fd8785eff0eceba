package dev.flaredeploy.cli;

import dev.flaredeploy.cli.client.Deployments;
import dev.flaredeploy.cli.client.HistoryEntry;
import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.PolicyOverride;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "history", mixinStandardHelpOptions = true,
    header = "Show every step and compensation of a deployment's latest run, with attempts and failures.",
    description = {"Also who started it, and with which policy overrides (--override) and reasons, as its",
        "Temporal history recorded them."})
class HistoryCommand implements Callable<Integer> {
  @Mixin DeploymentOptions deployment;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    String id = deployment.id();
    try (TemporalConnection connection = temporal.connect()) {
      Deployments deployments = temporal.deployments(connection);
      DeploymentReport report = deployments.status(id);
      List<HistoryEntry> entries = deployments.history(id);
      Optional<DeploymentRequest> request = deployments.request(id);
      List<PolicyOverride> overrides = request.map(DeploymentRequest::overrides).orElse(null);
      PrintWriter out = output.out();
      if (output.json()) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", report.id());
        json.put("runId", report.runId());
        json.put("state", report.state());
        json.put("requestedBy", request.map(DeploymentRequest::requestedBy).orElse(null));
        json.put("overrides", overrides == null ? List.of() : overrides);
        json.put("steps", entries);
        out.println(Json.write(json));
      } else {
        out.println(report.id() + " (run " + report.runId() + "): " + report.state() + " — " + report.summary());
        request.ifPresent(r -> out.println("  requested by " + r.requestedBy()));
        if (overrides != null) {
          overrides.forEach(o -> out.println("  override " + o.rule() + ": " + o.reason()));
        }
        for (HistoryEntry e : entries) {
          out.printf("  %s%-18s %-10s %d attempt%s  %s%n", e.compensation() ? "↺ " : "  ", e.step(), e.state(),
              e.attempts(), e.attempts() == 1 ? " " : "s", e.summary());
          for (int i = 0; i < e.failures().size(); i++) {
            out.println("        failure " + (i + 1) + ": " + e.failures().get(i));
          }
        }
      }
      return ExitCode.SUCCEEDED;
    }
  }
}
