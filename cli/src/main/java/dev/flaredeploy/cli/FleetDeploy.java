package dev.flaredeploy.cli;

import dev.flaredeploy.cli.client.Fleets;
import dev.flaredeploy.cli.render.FleetProgress;
import dev.flaredeploy.cli.render.FleetText;
import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.workflows.DeploymentIds;
import dev.flaredeploy.workflows.model.FleetMember;
import dev.flaredeploy.workflows.model.FleetOptions;
import dev.flaredeploy.workflows.model.FleetReport;
import dev.flaredeploy.workflows.model.FleetRequest;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code deploy} of a fleet: starts the fleet run under its id (the selection's lock), follows it with a line per
 * member on stderr, prints the fleet and its members on stdout, and exits 0 (every member succeeded), 1 (a member
 * failed or was skipped, every compensation completed) or 5 (a compensation needs a person).
 */
final class FleetDeploy implements DeployCommand.Launch {
  /** How many members the static details list by id. */
  private static final int LISTED_MEMBERS = 50;

  private final FleetSelection selection;
  private final FleetOptions options;
  private final OutputOptions output;
  private final String taskQueue;
  private final boolean detach;
  private final boolean waitIfRunning;

  FleetDeploy(FleetSelection selection, FleetOptions options, OutputOptions output, String taskQueue, boolean detach,
      boolean waitIfRunning) {
    this.selection = selection;
    this.options = options;
    this.output = output;
    this.taskQueue = taskQueue;
    this.detach = detach;
    this.waitIfRunning = waitIfRunning;
  }

  @Override
  public int run(WorkflowClient client, WorkflowServiceStubs stubs, boolean embedded) {
    Fleets fleets = new Fleets(client, stubs, taskQueue);
    WorkflowExecution execution = start(fleets);
    String id = execution.getWorkflowId();
    if (detach) {
      if (output.json()) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("runId", execution.getRunId());
        json.put("state", "RUNNING");
        json.put("members", selection.members().stream().map(m -> DeploymentIds.workflowId(m.request().target(),
            m.request().service(), m.request().environment())).toList());
        output.out().println(Json.write(json));
      } else {
        output.out().println(id);
      }
      output.out().flush();
      return ExitCode.SUCCEEDED;
    }
    PrintWriter err = output.err();
    err.println("fleet " + id + " started: " + selection.members().size() + " members, "
        + FleetText.options(options) + "; " + DeployCommand.hint(embedded, "fleet"));
    List<String> gated = approvalRequired();
    if (!gated.isEmpty()) {
      err.println(gated.size() + " member" + (gated.size() == 1 ? "" : "s") + " require" + (gated.size() == 1 ? "s"
          : "") + " an approval (" + String.join(", ", gated) + "): each waits after its checks, counted as running,"
          + " until it is approved by its own id; this command prints how when it waits, and keeps following");
    }
    err.flush();
    FleetReport report = fleets.follow(id, new FleetProgress(err));
    Printer.fleet(output, report);
    return ExitCode.of(report);
  }

  @Override
  public void cancelAndWait(WorkflowClient client, WorkflowServiceStubs stubs, PrintWriter err) {
    Fleets fleets = new Fleets(client, stubs, taskQueue);
    DeployCommand.cancelAndWait(selection.id(), fleets::cancel, runId -> fleets.follow(selection.id(), report -> { }),
        "; its running members undo what they did…", "each member with ", err);
  }

  @Override
  public List<String> approvalRequired() {
    return selection.members().stream().filter(m -> m.project().approvalRequired()).map(FleetSelection::name).toList();
  }

  private WorkflowExecution start(Fleets fleets) {
    FleetRequest request = request();
    return DeployCommand.start(() -> fleets.start(selection.id(), request, summary(), details()), waitIfRunning,
        e -> "a fleet run of this selection is already running: "
            + e.workflowId() + " (run " + e.runId() + "); follow it with `flaredeploy watch '" + e.workflowId()
            + "'`, stop it with `flaredeploy cancel '" + e.workflowId() + "'`, or queue behind it with"
            + " --if-running wait",
        e -> "waiting for the running fleet " + e.workflowId() + " to end before starting",
        e -> fleets.follow(e.workflowId(), report -> { }),
        output.err());
  }

  private FleetRequest request() {
    List<FleetMember> members = new ArrayList<>();
    for (int i = 0; i < selection.members().size(); i++) {
      ProjectInput input = selection.members().get(i);
      members.add(new FleetMember(input.request(), input.commit(), input.dirty(), selection.after().get(i)));
    }
    return new FleetRequest(selection.text(), selection.target(), members, options, ProjectInput.requestedBy(),
        null, null, 1, false, selection.notifications());
  }

  /** The fleet's one-line summary in the Temporal UI: what it deploys, and how. */
  private String summary() {
    return "fleet: deploy " + selection.text() + " to " + selection.target() + ": " + selection.members().size()
        + " members; " + FleetText.options(options);
  }

  /** The static details: who asked, and the members by id (the first {@value #LISTED_MEMBERS}). */
  private String details() {
    StringBuilder details = new StringBuilder("requested by: " + ProjectInput.requestedBy() + "\nmembers:");
    List<ProjectInput> members = selection.members();
    for (int i = 0; i < Math.min(LISTED_MEMBERS, members.size()); i++) {
      var r = members.get(i).request();
      details.append("\n").append(i + 1).append(". ")
          .append(DeploymentIds.workflowId(r.target(), r.service(), r.environment()));
    }
    if (members.size() > LISTED_MEMBERS) {
      details.append("\n… and ").append(members.size() - LISTED_MEMBERS).append(" more");
    }
    return details.toString();
  }
}
