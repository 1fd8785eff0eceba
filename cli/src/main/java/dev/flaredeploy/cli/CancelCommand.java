package dev.flaredeploy.cli;

import dev.flaredeploy.cli.client.Deployments;
import dev.flaredeploy.cli.render.Progress;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.workflows.model.DeploymentReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "cancel", mixinStandardHelpOptions = true,
    header = "Cancel a running deployment, undoing what it changed before it ends as CANCELLED.",
    description = {"The previous release goes live again and databases go back to their restore points;",
        "cancel waits for that."})
class CancelCommand implements Callable<Integer> {
  @Mixin DeploymentOptions deployment;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    String id = deployment.id();
    try (TemporalConnection connection = temporal.connect()) {
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
}
