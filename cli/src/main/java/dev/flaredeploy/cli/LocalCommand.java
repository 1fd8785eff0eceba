package dev.flaredeploy.cli;

import dev.flaredeploy.activities.local.LiveState;
import dev.flaredeploy.activities.local.LocalReleases;
import dev.flaredeploy.activities.local.LocalWorkspace;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.Wrangler;
import dev.flaredeploy.cli.render.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "local", mixinStandardHelpOptions = true,
    description = "What the local target runs: the released Workers served by wrangler dev.",
    subcommands = {LocalCommand.Status.class, LocalCommand.Stop.class})
class LocalCommand {
  @ParentCommand FlaredeployCommand root;

  static LocalReleases releases(LocalWorkspace workspace) {
    List<String> wrangler = Wrangler.locate(System.getenv()).orElse(List.of("wrangler"));
    return new LocalReleases(workspace, new Wrangler(wrangler, new ProcessRunner(), workspace.logs()));
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Show, per service and environment, which release serves where (and what is wrong).")
  static class Status implements Callable<Integer> {
    @ParentCommand LocalCommand local;

    @Override
    public Integer call() throws IOException {
      LocalWorkspace workspace = LocalWorkspace.fromEnvironment(System.getenv());
      LocalReleases releases = releases(workspace);
      List<Map<String, Object>> rows = new ArrayList<>();
      Path base = workspace.home().resolve("local");
      if (Files.isDirectory(base)) {
        try (Stream<Path> services = Files.list(base)) {
          for (Path service : services.sorted().toList()) {
            try (Stream<Path> envs = Files.list(service)) {
              for (Path env : envs.sorted().toList()) {
                LiveState state = releases.inspect(service.getFileName().toString(), env.getFileName().toString());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("service", service.getFileName().toString());
                row.put("environment", env.getFileName().toString());
                row.put("status", state.status().name());
                row.put("version", state.recorded() == null ? null : state.recorded().version());
                row.put("url", state.recorded() == null ? null : state.recorded().url());
                row.put("pid", state.recorded() == null ? null : state.recorded().pid());
                row.put("detail", state.detail());
                rows.add(row);
              }
            }
          }
        }
      }
      if (local.root.output == FlaredeployCommand.OutputFormat.json) {
        System.out.println(Json.write(rows));
      } else if (rows.isEmpty()) {
        System.err.println("the local target runs nothing (home: " + workspace.home() + ")");
      } else {
        for (Map<String, Object> row : rows) {
          System.out.printf("%-20s %-12s %-24s %-18s %s%n", row.get("service"), row.get("environment"),
              row.get("status"), row.get("version") == null ? "-" : row.get("version"),
              row.get("url") == null ? "" : row.get("url") + " (pid " + row.get("pid") + ")");
          if (row.get("detail") != null && !"SERVING".equals(row.get("status"))) {
            System.out.println("    " + row.get("detail"));
          }
        }
      }
      return ExitCode.SUCCEEDED;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Stop the Worker the local target serves for a service and environment.")
  static class Stop implements Callable<Integer> {
    @ParentCommand LocalCommand local;

    @Parameters(paramLabel = "SERVICE", description = "the Worker name (wrangler name)")
    String service;

    @Option(names = "--env", defaultValue = "default", description = "environment (default: ${DEFAULT-VALUE})")
    String environment;

    @Override
    public Integer call() {
      LocalWorkspace workspace = LocalWorkspace.fromEnvironment(System.getenv());
      if (!Files.isDirectory(workspace.environmentDir(service, environment))) {
        throw new CliException(ExitCode.REFUSED, "the local target has nothing for " + service + " (" + environment
            + "); `flaredeploy local status` lists what it has");
      }
      releases(workspace).stop(service, environment);
      System.err.println("stopped " + service + " (" + environment + ")");
      return ExitCode.SUCCEEDED;
    }
  }
}
