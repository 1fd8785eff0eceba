package dev.flaredeploy.cli;

import dev.flaredeploy.cli.render.Progress;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.workflows.model.DeploymentReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "watch", mixinStandardHelpOptions = true,
    description = "Follow a deployment until it ends; exits with the deployment's exit code (as deploy).")
class WatchCommand implements Callable<Integer> {
  @ParentCommand FlaredeployCommand root;

  @Parameters(paramLabel = "ID", description = "deployment id")
  String id;

  @Override
  public Integer call() {
    try (TemporalConnection connection = Connections.connect(root)) {
      DeploymentReport report = Connections.deployments(root, connection)
          .follow(DeploymentIdArgument.check(id), null, new Progress(System.err));
      Printer.report(root, report);
      return ExitCode.of(report);
    }
  }
}
