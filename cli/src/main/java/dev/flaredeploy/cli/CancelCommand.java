package dev.flaredeploy.cli;

import dev.flaredeploy.cli.client.Deployments;
import dev.flaredeploy.cli.render.Progress;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.workflows.model.DeploymentReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "cancel", mixinStandardHelpOptions = true,
    description = {"Cancel a running deployment. What it changed is undone (the previous release goes live",
        "again, databases go back to their restore points) before it ends as CANCELLED."})
class CancelCommand implements Callable<Integer> {
  @ParentCommand FlaredeployCommand root;

  @Parameters(paramLabel = "ID", description = "deployment id")
  String id;

  @Override
  public Integer call() {
    try (TemporalConnection connection = Connections.connect(root)) {
      Deployments deployments = Connections.deployments(root, connection);
      String runId;
      try {
        runId = deployments.cancel(DeploymentIdArgument.check(id), "cancelled with flaredeploy cancel by "
            + System.getProperty("user.name"));
      } catch (IllegalStateException e) {
        throw new CliException(ExitCode.REFUSED, e.getMessage());
      }
      System.err.println("cancelling " + id + " (run " + runId + "); waiting for its compensations");
      DeploymentReport report = deployments.follow(id, runId, new Progress(System.err));
      Printer.report(root, report);
      return report.state().equals("CANCELLED") ? ExitCode.SUCCEEDED : ExitCode.of(report);
    }
  }
}
