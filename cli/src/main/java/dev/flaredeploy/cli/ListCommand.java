package dev.flaredeploy.cli;

import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.workflows.model.DeploymentReport;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "list", mixinStandardHelpOptions = true, description = "List recent deployments, newest first.")
class ListCommand implements Callable<Integer> {
  @ParentCommand FlaredeployCommand root;

  @Option(names = "--service", paramLabel = "S", description = "only this service (Worker name)")
  String service;

  @Option(names = "--env", paramLabel = "E", description = "only this environment")
  String environment;

  @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "at most N runs (default: ${DEFAULT-VALUE})")
  int limit;

  @Override
  public Integer call() {
    if (limit < 1) {
      throw new CliException(ExitCode.INVALID_INPUT, "--limit must be at least 1");
    }
    try (TemporalConnection connection = Connections.connect(root)) {
      List<DeploymentReport> runs = Connections.deployments(root, connection).list(service, environment, limit);
      if (root.output == FlaredeployCommand.OutputFormat.json) {
        System.out.println(Json.write(runs));
      } else if (runs.isEmpty()) {
        System.err.println("no deployments found");
      } else {
        System.out.printf("%-40s %-16s %-20s %s%n", "ID", "STATE", "STARTED", "SUMMARY");
        for (DeploymentReport r : runs) {
          System.out.printf("%-40s %-16s %-20s %s%n", r.id(), r.state(),
              r.startedAt() == null ? "-" : r.startedAt().replaceFirst("\\.\\d+Z$", "Z"), r.summary());
        }
      }
      return ExitCode.SUCCEEDED;
    }
  }
}
