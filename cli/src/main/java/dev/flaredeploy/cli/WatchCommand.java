package dev.flaredeploy.cli;

import dev.flaredeploy.cli.render.FleetProgress;
import dev.flaredeploy.cli.render.Progress;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.workflows.FleetIds;
import dev.flaredeploy.workflows.model.FleetReport;
import dev.flaredeploy.workflows.model.DeploymentReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "watch", mixinStandardHelpOptions = true,
    header = "Follow a deployment until it ends, and exit with its exit code (as deploy does).",
    description = {"Step progress on stderr, the result on stdout. A fleet: a line per member as it changes, then",
        "the fleet and its members."})
class WatchCommand implements Callable<Integer> {
  @Mixin DeploymentOptions deployment;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    String id = deployment.id();
    try (TemporalConnection connection = temporal.connect()) {
      if (FleetIds.isFleetId(id)) {
        FleetReport fleet = temporal.fleets(connection).follow(id, new FleetProgress(output.err()));
        Printer.fleet(output, fleet);
        return ExitCode.of(fleet);
      }
      DeploymentReport report = temporal.deployments(connection).follow(id, null, new Progress(output.err()));
      Printer.report(output, report);
      return ExitCode.of(report);
    }
  }
}
