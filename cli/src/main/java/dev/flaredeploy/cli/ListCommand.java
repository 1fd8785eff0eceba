package dev.flaredeploy.cli;

import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.worker.TemporalConnection;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "list", mixinStandardHelpOptions = true, header = "List recent deployments and fleet runs, newest first.",
    description = {"A fleet run (id fleet:…) is listed with its member counts; its members are listed as the",
        "deployments they are. --service and --env keep the fleets with such a member."})
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
      List<Row> rows = new ArrayList<>();
      temporal.deployments(connection).list(service, environment, limit)
          .forEach(r -> rows.add(new Row(r.id(), r.state(), r.startedAt(), r.summary(), r)));
      temporal.fleets(connection).list(service, environment, limit)
          .forEach(f -> rows.add(new Row(f.id(), f.state(), f.startedAt(), f.summary(), f)));
      rows.sort(Comparator.comparing((Row r) -> r.startedAt() == null ? "" : r.startedAt()).reversed());
      List<Row> shown = rows.subList(0, Math.min(limit, rows.size()));
      PrintWriter out = output.out();
      if (output.json()) {
        out.println(Json.write(shown.stream().map(Row::json).toList()));
      } else if (shown.isEmpty()) {
        output.err().println("no deployments found");
      } else {
        out.printf("%-40s %-16s %-20s %s%n", "ID", "STATE", "STARTED", "SUMMARY");
        for (Row r : shown) {
          out.printf("%-40s %-16s %-20s %s%n", r.id(), r.state(),
              r.startedAt() == null ? "-" : r.startedAt().replaceFirst("\\.\\d+Z$", "Z"), r.summary());
        }
      }
      return ExitCode.SUCCEEDED;
    }
  }

  /** A deployment or a fleet run, as the list shows it; {@code json} is its report (a fleet's without members). */
  private record Row(String id, String state, String startedAt, String summary, Object json) {}
}
