package dev.flaredeploy.cli;

import dev.flaredeploy.cli.client.ApprovalRefusedException;
import dev.flaredeploy.cli.render.ApprovalCommands;
import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.workflows.FleetIds;
import dev.flaredeploy.workflows.model.ApprovalDecision;
import dev.flaredeploy.workflows.model.ApprovalOutcome;
import dev.flaredeploy.workflows.model.FleetMemberReport;
import dev.flaredeploy.workflows.model.FleetReport;
import dev.flaredeploy.workflows.model.PlanDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "approve", mixinStandardHelpOptions = true,
    header = "Approve the plan a deployment waits on, by its digest; its checks then run again.",
    description = {"The digest is the one `status`, `deploy` and the waiting_for_approval notification show. You are",
        "user@host of this process; [approval] approvers may limit who can decide. Refused (exit 3, nothing",
        "changed) when nothing waits, when the digest is not the one waiting, or when you are not an approver.",
        "Returns once the checks ran again: exit 0 when the plan is unchanged and the deployment proceeds, 3 when",
        "it changed while it waited (the new digest waits for a new approval). A fleet's members are approved",
        "each by its own id: given a fleet id, approve lists the members that wait and their commands (exit 3)."})
class ApproveCommand implements Callable<Integer> {
  static final Duration UPDATE_TIMEOUT = Duration.ofMinutes(5);
  private static final Pattern DIGEST = Pattern.compile("[0-9a-fA-F]{" + PlanDigest.LENGTH + "}");

  @Mixin DeploymentOptions deployment;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Option(names = "--digest", required = true, paramLabel = "D",
      description = "the plan digest you approve (" + PlanDigest.LENGTH + " hex digits), as shown")
  String digest;

  @Option(names = "--reason", paramLabel = "TEXT", description = "why, for the history (optional)")
  String reason;

  @Override
  public Integer call() {
    if (!DIGEST.matcher(digest.strip()).matches()) {
      throw new CliException(ExitCode.INVALID_INPUT, "--digest " + digest + " is not a plan digest: it has "
          + PlanDigest.LENGTH + " hex digits, as `flaredeploy status` shows it (nothing was sent)");
    }
    String id = deployment.id();
    refuseFleet(temporal, id, "approve", m -> ApprovalCommands.approve(m.id(), m.digest()));
    ApprovalDecision decision = new ApprovalDecision(digest.strip().toLowerCase(), ProjectInput.requestedBy(), reason);
    ApprovalOutcome outcome = send(temporal, connection -> temporal.deployments(connection)
        .approve(id, decision, UPDATE_TIMEOUT));
    render(output, id, decision.by(), outcome);
    return ApprovalOutcome.PROCEEDING.equals(outcome.result()) ? ExitCode.SUCCEEDED
        : ApprovalOutcome.ASKING_AGAIN.equals(outcome.result()) ? ExitCode.REFUSED : ExitCode.FAILED;
  }

  /**
   * A fleet run waits for no approval itself: each member whose environment requires one waits under its own id,
   * with its own plan and digest. Refuses (exit 3, nothing sent) naming the members that wait and how to decide on
   * each; does nothing for a deployment id.
   */
  static void refuseFleet(TemporalOptions temporal, String id, String verb,
      java.util.function.Function<FleetMemberReport, String> command) {
    if (!FleetIds.isFleetId(id)) {
      return;
    }
    FleetReport fleet;
    try (TemporalConnection connection = temporal.connect()) {
      fleet = temporal.fleets(connection).status(id);
    }
    List<FleetMemberReport> waiting = fleet.members().stream().filter(m -> m.digest() != null).toList();
    String message = id + " is a fleet run; its members are approved one by one, each by its own id and the digest "
        + "of its own plan, so nothing was sent. ";
    if (waiting.isEmpty()) {
      message += "None of its members waits for an approval now (`flaredeploy status '" + id + "'` shows them).";
    } else {
      message += waiting.size() + " wait" + (waiting.size() == 1 ? "s" : "") + ":\n" + String.join("\n",
          waiting.stream().map(m -> "  " + command.apply(m)).toList());
    }
    if (verb.equals("reject")) {
      message += "\nTo stop the whole fleet instead: flaredeploy cancel '" + id + "'";
    }
    throw new CliException(ExitCode.REFUSED, "refused: " + message);
  }

  /** Sends an approve or reject: a refusal is exit 3 with the deployment's own words, no worker exit 4. */
  static ApprovalOutcome send(TemporalOptions temporal,
      java.util.function.Function<TemporalConnection, ApprovalOutcome> update) {
    try (TemporalConnection connection = temporal.connect()) {
      return update.apply(connection);
    } catch (ApprovalRefusedException e) {
      throw new CliException(ExitCode.REFUSED, "refused (" + e.type() + "): " + e.getMessage());
    } catch (IllegalStateException e) {
      throw new CliException(ExitCode.UNAVAILABLE, e.getMessage(), e);
    }
  }

  static void render(OutputOptions output, String id, String by, ApprovalOutcome outcome) {
    if (output.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("id", id);
      json.put("by", by);
      json.put("result", outcome.result());
      json.put("digest", outcome.digest());
      json.put("detail", outcome.detail());
      output.out().println(Json.write(json));
    } else {
      output.out().println(id + ": " + outcome.result() + " (plan " + outcome.digest() + "): " + outcome.detail());
      if (ApprovalOutcome.ASKING_AGAIN.equals(outcome.result())) {
        output.out().println("  to approve the new plan: " + ApprovalCommands.approve(id, outcome.digest()));
      }
    }
    output.out().flush();
  }
}
