package dev.flaredeploy.cli;

import dev.flaredeploy.cli.client.Deployments;
import dev.flaredeploy.cli.client.Fleets;
import dev.flaredeploy.cli.render.FleetProgress;
import dev.flaredeploy.cli.render.Progress;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.workflows.FleetIds;
import dev.flaredeploy.workflows.model.FleetReport;
import dev.flaredeploy.workflows.model.DeploymentReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "cancel", mixinStandardHelpOptions = true,
    header = "Cancel a running deployment, undoing what it changed before it ends as CANCELLED.",
    description = {"The previous release goes live again and databases go back to their restore points;",
        "cancel waits for that. A fleet: its running members are cancelled (each undoes its own changes)",
        "and the members not started yet are skipped."})
class CancelCommand implements Callable<Integer> {
  @Mixin DeploymentOptions deployment;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    String id = deployment.id();
    try (TemporalConnection connection = temporal.connect()) {
      if (FleetIds.isFleetId(id)) {
        return cancelFleet(temporal.fleets(connection), id);
      }
      Deployments deployments = temporal.deployments(connection);
      String runId;
      try {
        runId = deployments.cancel(id, "cancelled with flaredeploy cancel by " + System.getProperty("user.name"));
      } catch (IllegalStateException e) {
        throw new CliException(ExitCode.REFUSED, e.getMessage());
      }
      output.err().println("cancelling " + id + " (run " + runId + "); waiting for its compensations");
      DeploymentReport report = deployments.follow(id, runId, new Progress(output.err()));
      Printer.report(output, report);
      return report.state().equals("CANCELLED") ? ExitCode.SUCCEEDED : ExitCode.of(report);
    }
  }

  private int cancelFleet(Fleets fleets, String id) {
    try {
      fleets.cancel(id, "cancelled with flaredeploy cancel by " + System.getProperty("user.name"));
    } catch (IllegalStateException e) {
      throw new CliException(ExitCode.REFUSED, e.getMessage());
    }
    output.err().println("cancelling fleet " + id + "; waiting for its running members to undo what they changed");
    FleetReport report = fleets.follow(id, new FleetProgress(output.err()));
    Printer.fleet(output, report);
    return report.state().equals("CANCELLED") ? ExitCode.SUCCEEDED : ExitCode.of(report);
  }
}
