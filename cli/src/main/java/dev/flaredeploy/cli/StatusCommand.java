package dev.flaredeploy.cli;

import dev.flaredeploy.worker.TemporalConnection;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show the latest run of a deployment: state, steps, databases, release, error.")
class StatusCommand implements Callable<Integer> {
  @ParentCommand FlaredeployCommand root;

  @Parameters(paramLabel = "ID", description = "deployment id, e.g. deploy:local:hello-d1:default")
  String id;

  @Override
  public Integer call() {
    try (TemporalConnection connection = Connections.connect(root)) {
      Printer.report(root, Connections.deployments(root, connection).status(DeploymentIdArgument.check(id)));
      return ExitCode.SUCCEEDED;
    }
  }
}
