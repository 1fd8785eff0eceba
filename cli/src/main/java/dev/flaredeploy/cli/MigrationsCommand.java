package dev.flaredeploy.cli;

import dev.flaredeploy.activities.ChecksumLedger;
import dev.flaredeploy.activities.DeploymentTarget;
import dev.flaredeploy.activities.local.D1CommandException;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.cli.client.UnknownDeploymentException;
import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.worker.TemporalSettings;
import dev.flaredeploy.workflows.DeploymentIds;
import dev.flaredeploy.workflows.model.ChecksumProblem;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "migrations", mixinStandardHelpOptions = true,
    header = "Manage the migrations applied to an environment's databases.",
    subcommands = {MigrationsCommand.Accept.class})
class MigrationsCommand {

  @Command(name = "accept", mixinStandardHelpOptions = true,
      header = "Accept that applied migrations were edited or removed since they were applied.",
      description = {"Accept that applied migrations were edited or removed since they were applied: records each",
          "named file's current sha256 (or its removal) with the reason, who and when, so validate-schema no",
          "longer blocks on it. Without FILE, lists what there is to accept. Changes nothing else; refused",
          "(exit 3) while a deployment of the same environment runs."})
  static class Accept implements Callable<Integer> {
    @Mixin ProjectOptions project;
    @Mixin TemporalOptions temporal;
    @Mixin OutputOptions output;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "FILE",
        description = "migration files to accept, by name (e.g. 0003_drop_legacy.sql)")
    List<String> files = new ArrayList<>();

    @Option(names = "--reason", paramLabel = "TEXT", description = "why the change is fine (required with FILE)")
    String reason;

    @Override
    public Integer call() {
      if (project.project != null && project.project.endsWith(".sql")
          && !java.nio.file.Files.isDirectory(FlaredeployCommand.workingDirectory(output.mixee).resolve(project.project))) {
        files.add(0, project.project); // `accept --reason … 0003_x.sql`: a file, in the current project
        project.project = null;
      }
      Path projectDir = project.directory("migrations accept");
      String environment = project.environment;
      String target = project.target;
      PrintWriter out = output.out();
      if (!files.isEmpty() && (reason == null || reason.isBlank())) {
        throw new CliException(ExitCode.INVALID_INPUT, "--reason is required: say why the changed migration is fine"
            + " (it is recorded with your name); nothing was accepted");
      }
      ProjectInput input = ProjectInput.of(projectDir, environment, target, null, false, output.err());
      DeploymentRequest request = input.request();
      refuseWhileDeploying(request);
      InProcessTarget planned = InProcessTarget.of(request, FlaredeployCommand.environment(output.mixee));
      DeploymentPlan plan = planned.plan();
      DeploymentTarget deploymentTarget = planned.target();
      try {
        List<ChecksumProblem> problems = InProcessTarget.run(type -> "",
            () -> ChecksumLedger.problems(deploymentTarget, plan, Tick.NONE));
        if (files.isEmpty()) {
          return list(request, problems, projectDir, environment, target);
        }
        List<ChecksumProblem> chosen = choose(problems, plan);
        String by = ProjectInput.requestedBy();
        List<Map<String, Object>> accepted = new ArrayList<>();
        for (ChecksumProblem problem : chosen) {
          DatabasePlan database = plan.databases().stream()
              .filter(d -> d.binding().equals(problem.binding())).findFirst().orElseThrow();
          InProcessTarget.run(type -> "", () -> {
            ChecksumLedger.accept(deploymentTarget, plan, database, problem, reason.strip(), by, Tick.NONE);
            return null;
          });
          Map<String, Object> row = row(problem);
          row.put("reason", reason.strip());
          row.put("acceptedBy", by);
          accepted.add(row);
          output.err().println("accepted " + problem.binding() + " " + problem.file());
        }
        if (output.json()) {
          out.println(Json.write(Map.of("accepted", accepted)));
        } else {
          for (ChecksumProblem p : chosen) {
            out.println("accepted " + p.binding() + " " + p.file() + ": " + (ChecksumProblem.VANISHED.equals(p.kind())
                ? "its removal" : "sha256 " + Checksums.abbreviate(p.currentSha256()) + " (was "
                    + Checksums.abbreviate(p.recordedSha256()) + ")") + ", by " + by + ": " + reason.strip());
          }
        }
        return ExitCode.SUCCEEDED;
      } catch (D1CommandException e) {
        throw new CliException(ExitCode.UNAVAILABLE, e.getMessage(), e);
      }
    }

    /** The problems the named files stand for; every file must have one (checked before anything is written). */
    private List<ChecksumProblem> choose(List<ChecksumProblem> problems, DeploymentPlan plan) {
      List<ChecksumProblem> chosen = new ArrayList<>();
      for (String file : files) {
        List<ChecksumProblem> matching = problems.stream().filter(p -> p.file().equals(file)).toList();
        if (matching.isEmpty()) {
          boolean exists = plan.databases().stream()
              .anyMatch(d -> d.migrations().stream().anyMatch(m -> m.name().equals(file)));
          throw new CliException(ExitCode.INVALID_INPUT, file + (exists
              ? " has no checksum problem: it is pending, or matches what was applied (or was accepted before)"
              : " is not a migration of " + plan.service() + " (" + plan.environment() + ") and none was applied"
                  + " under that name")
              + "; nothing was accepted" + (problems.isEmpty() ? "" : ". Problems there are: "
                  + String.join(", ", problems.stream().map(p -> p.binding() + " " + p.file()).toList())));
        }
        chosen.addAll(matching.stream().filter(p -> !chosen.contains(p)).toList());
      }
      return chosen;
    }

    private int list(DeploymentRequest request, List<ChecksumProblem> problems, Path projectDir, String environment,
        String target) {
      PrintWriter out = output.out();
      if (output.json()) {
        out.println(Json.write(Map.of("problems", problems.stream().map(Accept::row).toList())));
      } else if (problems.isEmpty()) {
        out.println("nothing to accept: every applied migration of " + request.service() + " ("
            + request.environment() + ", " + request.target() + ") matches its file");
      } else {
        out.println("applied migrations that changed since they were applied:");
        problems.forEach(p -> out.println("  " + p.message()));
      }
      if (problems.isEmpty()) {
        return ExitCode.SUCCEEDED;
      }
      output.err().println("name the files to accept, with a reason: flaredeploy migrations accept "
          + (project.project == null ? "." : project.project) + (environment.equals("default") ? "" : " --env " + environment)
          + (target == null ? "" : " --target " + target) + " --reason \"…\" "
          + String.join(" ", problems.stream().map(ChecksumProblem::file).distinct().toList())
          + " (or restore the files from git); nothing was accepted");
      return ExitCode.INVALID_INPUT;
    }

    private static Map<String, Object> row(ChecksumProblem p) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("binding", p.binding());
      row.put("file", p.file());
      row.put("kind", p.kind());
      row.put("recordedSha256", p.recordedSha256());
      row.put("currentSha256", p.currentSha256());
      row.put("appliedAt", p.appliedAt());
      row.put("message", p.message());
      return row;
    }

    /**
     * Refuses (exit 3) while a deployment of the same (target, service, environment) runs: it may be about
     * to read, restore or record the same table. Without a server at the default address no deployment can
     * be running durably (an embedded `deploy` in another terminal is not visible, as it is to no one).
     */
    private void refuseWhileDeploying(DeploymentRequest request) {
      String id = DeploymentIds.workflowId(request.target(), request.service(), request.environment());
      TemporalSettings settings = temporal.settings();
      if (TemporalOptions.nothingAtDefaultAddress(settings)) {
        output.err().println("No Temporal server at " + settings.address() + ": not checking for a running deployment"
            + " of " + id);
        return;
      }
      try (TemporalConnection connection = temporal.connect()) {
        String state;
        try {
          state = temporal.deployments(connection).status(id).state();
        } catch (UnknownDeploymentException never) {
          return;
        }
        if ("RUNNING".equals(state)) {
          throw new CliException(ExitCode.REFUSED, "a deployment of " + request.service() + " ("
              + request.environment() + ", " + request.target() + ") is running: " + id + "; it may restore or"
              + " record the same checksums. Wait for it to end (`flaredeploy watch " + id + "`), then run this"
              + " again; nothing was accepted");
        }
      }
    }
  }
}
