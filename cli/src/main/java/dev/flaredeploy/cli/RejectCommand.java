package dev.flaredeploy.cli;

import dev.flaredeploy.cli.render.ApprovalCommands;
import dev.flaredeploy.workflows.model.ApprovalDecision;
import dev.flaredeploy.workflows.model.ApprovalOutcome;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "reject", mixinStandardHelpOptions = true,
    header = "Reject the plan a deployment waits on: it ends REJECTED with nothing changed.",
    description = {"You are user@host of this process; [approval] approvers may limit who can decide. Refused",
        "(exit 3, nothing changed) when nothing waits or you are not an approver. A fleet's members are rejected",
        "each by its own id (given a fleet id, reject lists those that wait; cancel stops the whole fleet)."})
class RejectCommand implements Callable<Integer> {
  @Mixin DeploymentOptions deployment;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why, for the history (required)")
  String reason;

  @Override
  public Integer call() {
    if (reason.isBlank()) {
      throw new CliException(ExitCode.INVALID_INPUT, "--reason must say why the plan is rejected (nothing was sent)");
    }
    String id = deployment.id();
    ApproveCommand.refuseFleet(temporal, id, "reject",
        m -> ApprovalCommands.reject(m.id()) + "   (plan " + m.digest() + ")");
    ApprovalDecision decision = new ApprovalDecision(null, ProjectInput.requestedBy(), reason.strip());
    ApprovalOutcome outcome = ApproveCommand.send(temporal, connection -> temporal.deployments(connection)
        .reject(id, decision, ApproveCommand.UPDATE_TIMEOUT));
    ApproveCommand.render(output, id, decision.by(), outcome);
    return ExitCode.SUCCEEDED;
  }
}
