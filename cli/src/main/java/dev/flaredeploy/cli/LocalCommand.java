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
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "local", mixinStandardHelpOptions = true,
    header = "Show and stop what the local target runs: the released Workers served by wrangler dev.",
    subcommands = {LocalCommand.Status.class, LocalCommand.Stop.class})
class LocalCommand {

  static LocalReleases releases(LocalWorkspace workspace, Map<String, String> env) {
    List<String> wrangler = Wrangler.locate(env).orElse(List.of("wrangler"));
    return new LocalReleases(workspace, new Wrangler(wrangler, new ProcessRunner(), workspace.logs()));
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      header = "Show, per service and environment, which release serves where (and what is wrong).")
  static class Status implements Callable<Integer> {
    @Mixin OutputOptions output;

    @Override
    public Integer call() throws IOException {
      Map<String, String> env = FlaredeployCommand.environment(output.mixee);
      LocalWorkspace workspace = LocalWorkspace.fromEnvironment(env);
      LocalReleases releases = releases(workspace, env);
      List<Map<String, Object>> rows = new ArrayList<>();
      Path base = workspace.home().resolve("local");
      if (Files.isDirectory(base)) {
        try (Stream<Path> services = Files.list(base)) {
          for (Path service : services.sorted().toList()) {
            try (Stream<Path> envs = Files.list(service)) {
              for (Path environment : envs.sorted().toList()) {
                LiveState state = releases.inspect(service.getFileName().toString(),
                    environment.getFileName().toString());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("service", service.getFileName().toString());
                row.put("environment", environment.getFileName().toString());
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
      java.io.PrintWriter out = output.out();
      if (output.json()) {
        out.println(Json.write(rows));
      } else if (rows.isEmpty()) {
        output.err().println("the local target runs nothing (home: " + workspace.home() + ")");
      } else {
        for (Map<String, Object> row : rows) {
          out.printf("%-20s %-12s %-24s %-18s %s%n", row.get("service"), row.get("environment"),
              row.get("status"), row.get("version") == null ? "-" : row.get("version"),
              row.get("url") == null ? "" : row.get("url") + " (pid " + row.get("pid") + ")");
          if (row.get("detail") != null && !"SERVING".equals(row.get("status"))) {
            out.println("    " + row.get("detail"));
          }
        }
      }
      return ExitCode.SUCCEEDED;
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      header = "Stop the Worker the local target serves for a project and environment.")
  static class Stop implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROJECT",
        description = "the project: its directory (default: .) or its service name (the wrangler name)")
    String project;

    @Option(names = "--env", defaultValue = "default", paramLabel = "NAME",
        description = "wrangler environment (default: ${DEFAULT-VALUE}, the top level)")
    String environment;

    @Override
    public Integer call() {
      Map<String, String> env = FlaredeployCommand.environment(spec);
      String service = ProjectArgument.resolve(project, FlaredeployCommand.workingDirectory(spec)).requireService();
      LocalWorkspace workspace = LocalWorkspace.fromEnvironment(env);
      if (!Files.isDirectory(workspace.environmentDir(service, environment))) {
        throw new CliException(ExitCode.REFUSED, "the local target has nothing for " + service + " (" + environment
            + "); `flaredeploy local status` lists what it has");
      }
      releases(workspace, env).stop(service, environment);
      spec.commandLine().getErr().println("stopped " + service + " (" + environment + ")");
      return ExitCode.SUCCEEDED;
    }
  }
}
