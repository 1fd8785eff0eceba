package dev.flaredeploy.cli;

import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.workflows.model.DeploymentReport;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "list", mixinStandardHelpOptions = true, header = "List recent deployments, newest first.")
class ListCommand implements Callable<Integer> {
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

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
    try (TemporalConnection connection = temporal.connect()) {
      List<DeploymentReport> runs = temporal.deployments(connection).list(service, environment, limit);
      PrintWriter out = output.out();
      if (output.json()) {
        out.println(Json.write(runs));
      } else if (runs.isEmpty()) {
        output.err().println("no deployments found");
      } else {
        out.printf("%-40s %-16s %-20s %s%n", "ID", "STATE", "STARTED", "SUMMARY");
        for (DeploymentReport r : runs) {
          out.printf("%-40s %-16s %-20s %s%n", r.id(), r.state(),
              r.startedAt() == null ? "-" : r.startedAt().replaceFirst("\\.\\d+Z$", "Z"), r.summary());
        }
      }
      return ExitCode.SUCCEEDED;
    }
  }
}
