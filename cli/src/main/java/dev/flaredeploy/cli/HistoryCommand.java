package dev.flaredeploy.cli;

import dev.flaredeploy.cli.client.Deployments;
import dev.flaredeploy.cli.client.Fleets;
import dev.flaredeploy.cli.render.FleetText;
import dev.flaredeploy.cli.client.HistoryEntry;
import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.workflows.FleetIds;
import dev.flaredeploy.workflows.model.FleetMemberReport;
import dev.flaredeploy.workflows.model.FleetReport;
import dev.flaredeploy.workflows.model.FleetRequest;
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
        "Temporal history recorded them. A fleet: who started it, its waves and budget, and every member",
        "with its state, step, summary, run and times (`history MEMBER-ID` shows a member's steps)."})
class HistoryCommand implements Callable<Integer> {
  @Mixin DeploymentOptions deployment;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    String id = deployment.id();
    try (TemporalConnection connection = temporal.connect()) {
      if (FleetIds.isFleetId(id)) {
        fleetHistory(temporal.fleets(connection), id);
        return ExitCode.SUCCEEDED;
      }
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

  private void fleetHistory(Fleets fleets, String id) {
    FleetReport report = fleets.status(id);
    Optional<FleetRequest> request = fleets.request(id);
    PrintWriter out = output.out();
    if (output.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("id", report.id());
      json.put("runId", report.runId());
      json.put("state", report.state());
      json.put("summary", report.summary());
      json.put("requestedBy", request.map(FleetRequest::requestedBy).orElse(null));
      json.put("options", report.options());
      json.put("runs", report.runs());
      json.put("members", report.members());
      out.println(Json.write(json));
    } else {
      out.println(report.id() + " (run " + report.runId() + "): " + report.state() + " — " + report.summary());
      request.ifPresent(r -> out.println("  requested by " + r.requestedBy()));
      if (report.options() != null) {
        out.println("  " + FleetText.options(report.options()));
      }
      for (FleetMemberReport m : report.members()) {
        out.printf("  %3d. %-40s %-15s %-17s %s → %s  run %s%n", m.index() + 1, m.id(), m.state(),
            m.step() == null ? "-" : m.step(), m.startedAt() == null ? "-" : m.startedAt(),
            m.finishedAt() == null ? "-" : m.finishedAt(), m.runId() == null ? "-" : m.runId());
        out.println("        " + (m.summary() == null ? "" : m.summary()));
      }
    }
    out.flush();
  }
}
