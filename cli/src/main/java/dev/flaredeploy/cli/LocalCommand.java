package dev.flaredeploy.cli;

import dev.flaredeploy.activities.local.D1Files;
import dev.flaredeploy.activities.local.LiveState;
import dev.flaredeploy.activities.local.LocalReleases;
import dev.flaredeploy.activities.local.LocalWorkspace;
import dev.flaredeploy.activities.local.SharedD1;
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
    header = "Show and stop what the local target runs (Workers served by wrangler dev) and its D1 databases.",
    subcommands = {LocalCommand.Status.class, LocalCommand.Databases.class, LocalCommand.Stop.class})
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
        output.err().println("local D1 databases live in " + workspace.d1Dir()
            + " (`flaredeploy local databases` lists them)");
      } else {
        output.err().println("local D1 databases live in " + workspace.d1Dir()
            + ", one per database_id, shared by every service that binds it (`flaredeploy local databases`)");
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

  @Command(name = "databases", mixinStandardHelpOptions = true,
      header = "Show the local D1 databases: one file per database id, shared by every service that binds it.")
  static class Databases implements Callable<Integer> {
    @Mixin OutputOptions output;

    @Override
    public Integer call() throws IOException {
      LocalWorkspace workspace = LocalWorkspace.fromEnvironment(FlaredeployCommand.environment(output.mixee));
      SharedD1 shared = new SharedD1(workspace);
      Map<String, Map<String, Object>> databases = new LinkedHashMap<>();
      for (SharedD1.Usage use : shared.usages()) {
        Map<String, Object> row = databases.computeIfAbsent(use.localId(), id -> {
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("localId", id);
          r.put("databaseId", use.databaseId());
          r.put("file", shared.file(id).toString());
          r.put("exists", Files.isRegularFile(shared.file(id)));
          r.put("boundBy", new ArrayList<Map<String, String>>());
          return r;
        });
        @SuppressWarnings("unchecked")
        List<Map<String, String>> boundBy = (List<Map<String, String>>) row.get("boundBy");
        boundBy.add(Map.of("service", use.service(), "environment", use.environment(), "binding", use.binding()));
      }
      List<Map<String, Object>> rows = new ArrayList<>(databases.values());
      List<Map<String, Object>> waiting = waitingToMove(workspace, shared);
      java.io.PrintWriter out = output.out();
      if (output.json()) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("directory", workspace.d1Dir().toString());
        json.put("databases", rows);
        json.put("waitingToMove", waiting);
        out.println(Json.write(json));
        return ExitCode.SUCCEEDED;
      }
      output.err().println("local D1 databases: " + workspace.d1Dir() + " (one file per database_id; each"
          + " environment's state/v3/d1 links there)");
      if (rows.isEmpty() && waiting.isEmpty()) {
        output.err().println("none yet: the first deployment of a Worker with a D1 binding creates its database");
      }
      for (Map<String, Object> row : rows) {
        @SuppressWarnings("unchecked")
        List<Map<String, String>> boundBy = (List<Map<String, String>>) row.get("boundBy");
        out.println(row.get("localId") + "  " + row.get("file") + (Boolean.TRUE.equals(row.get("exists")) ? ""
            : " (not created yet)"));
        out.println("    bound by " + String.join(", ", boundBy.stream()
            .map(b -> b.get("service") + " (" + b.get("environment") + ") as " + b.get("binding")).toList()));
      }
      for (Map<String, Object> row : waiting) {
        out.println(row.get("file"));
        out.println("    " + row.get("service") + " (" + row.get("environment") + ")'s own, from before databases"
            + " were shared: moves to " + workspace.d1Dir() + " on its next deployment");
      }
      return ExitCode.SUCCEEDED;
    }

    /** Databases still in an environment's own state (installations from before they were shared). */
    private static List<Map<String, Object>> waitingToMove(LocalWorkspace workspace, SharedD1 shared)
        throws IOException {
      List<Map<String, Object>> waiting = new ArrayList<>();
      Path base = workspace.home().resolve("local");
      if (!Files.isDirectory(base)) {
        return waiting;
      }
      try (Stream<Path> services = Files.list(base)) {
        for (Path service : services.sorted().toList()) {
          try (Stream<Path> envs = Files.list(service)) {
            for (Path environment : envs.sorted().toList()) {
              String s = service.getFileName().toString();
              String e = environment.getFileName().toString();
              if (!shared.hasOwnState(s, e)) {
                continue;
              }
              Path dir = D1Files.directory(workspace.stateDir(s, e));
              if (!Files.isDirectory(dir)) {
                continue;
              }
              try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".sqlite")
                    && !f.getFileName().toString().equals("metadata.sqlite")).sorted().toList()) {
                  Map<String, Object> row = new LinkedHashMap<>();
                  row.put("service", s);
                  row.put("environment", e);
                  row.put("file", file.toString());
                  waiting.add(row);
                }
              }
            }
          }
        }
      }
      return waiting;
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
