package dev.flaredeploy.cli;

import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.workflows.FleetIds;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "status", mixinStandardHelpOptions = true,
    header = "Show the latest run of a deployment: state, steps, databases, release and error.",
    description = {"Read from the run's memo, so it works with no worker running. Name the deployment by its id,",
        "or by its project (directory or service name) with --env and --target. For a fleet id (or an --env",
        "glob or list), the fleet and each member's state, step and summary."})
class StatusCommand implements Callable<Integer> {
  @Mixin DeploymentOptions deployment;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    String id = deployment.id();
    try (TemporalConnection connection = temporal.connect()) {
      if (FleetIds.isFleetId(id)) {
        Printer.fleet(output, temporal.fleets(connection).status(id));
        return ExitCode.SUCCEEDED;
      }
      Printer.report(output, temporal.deployments(connection).status(id));
      return ExitCode.SUCCEEDED;
    }
  }
}
