package dev.flaredeploy.cli;

import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.releases.RollbackPlanner;
import dev.flaredeploy.activities.releases.RollbackRefusedException;
import dev.flaredeploy.cli.client.AlreadyRunningException;
import dev.flaredeploy.cli.client.Deployments;
import dev.flaredeploy.cli.render.Progress;
import dev.flaredeploy.worker.ActivitiesFactory;
import dev.flaredeploy.worker.EmbeddedTemporal;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.worker.TemporalSettings;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.RestorePoint;
import dev.flaredeploy.workflows.model.RollbackPlan;
import dev.flaredeploy.workflows.model.RollbackRequest;
import io.temporal.api.common.v1.WorkflowExecution;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "rollback", mixinStandardHelpOptions = true,
    header = "Put the previous (or a named) release of an environment live again, and smoke-test it.",
    description = {"Runs as a workflow under the environment's deployment id, so it cannot race a deployment",
        "(refused, exit 3, while one runs). The releases come from the release journal (`flaredeploy releases`).",
        "The databases stay as they are, and the output names the migrations the release never knew about.",
        "--restore-database --yes also puts each database the undone deployment changed back to the restore point",
        "taken before it (data written since is lost), only when nothing changed it since; refused otherwise."})
class RollbackCommand implements Callable<Integer> {
  @Mixin ProjectOptions project;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Option(names = "--to", paramLabel = "RELEASE",
      description = "the release to put live: its id (or a unique prefix), as `releases` lists it; default: the one before the live one")
  String to;

  @Option(names = "--restore-database",
      description = "also restore each database the undone deployment changed to the restore point taken before it")
  boolean restoreDatabase;

  @Option(names = "--yes", description = "confirm --restore-database (without it, only says what would be restored)")
  boolean yes;

  @Override
  public Integer call() {
    ProjectArgument argument = project.resolve();
    String service = argument.requireService();
    String target = project.targetOf(argument);
    RollbackRequest request = new RollbackRequest(target, service, project.environment, to, restoreDatabase,
        ProjectInput.requestedBy());
    if (restoreDatabase && !yes) {
      return preview(request);
    }
    TemporalSettings settings = temporal.settings();
    if (TemporalOptions.nothingAtDefaultAddress(settings)) {
      return runEmbedded(settings, request);
    }
    try (TemporalConnection connection = temporal.connect()) {
      return run(temporal.deployments(connection), request);
    }
  }

  /** --restore-database without --yes: what would be restored (worked out here, from this home's journal). */
  private int preview(RollbackRequest request) {
    Map<String, String> env = FlaredeployCommand.environment(output.mixee);
    PrintWriter err = output.err();
    try {
      RollbackPlan plan = new RollbackPlanner(ActivitiesFactory.journal(env), ActivitiesFactory.world(env).targets())
          .plan(request, ProcessRunner.Tick.NONE, 0);
      err.println("rollback of " + request.service() + " (" + request.environment() + ", " + request.target()
          + ") to release " + plan.release().release() + " would restore:");
      for (RestorePoint point : plan.restores()) {
        err.println("  database " + point.binding() + " from " + point.location() + " (taken before deployment run "
            + plan.undone().runId() + " at " + plan.undone().at() + "; everything written to it since is lost)");
      }
      if (plan.restores().isEmpty()) {
        err.println("  no database (the deployment being undone changed none)");
      }
      plan.notes().forEach(n -> err.println("  " + n));
    } catch (RollbackRefusedException e) {
      throw new CliException(ExitCode.REFUSED, "rollback refused: " + e.getMessage());
    } catch (IllegalStateException e) {
      err.println("(what would be restored cannot be worked out here: " + e.getMessage() + ")");
    }
    throw new CliException(ExitCode.INVALID_INPUT, "--restore-database throws away what was written to the "
        + "databases since the restore point: add --yes to go ahead (nothing was changed)");
  }

  private int run(Deployments deployments, RollbackRequest request) {
    WorkflowExecution execution;
    try {
      execution = deployments.startRollback(request);
    } catch (AlreadyRunningException e) {
      throw new CliException(ExitCode.REFUSED, "a deployment (or rollback) of " + request.service() + " ("
          + request.environment() + ", " + request.target() + ") is running: " + e.workflowId() + " (run " + e.runId()
          + "); a rollback cannot race it. Wait for it (`flaredeploy watch " + e.workflowId() + "`) or cancel it "
          + "(`flaredeploy cancel " + e.workflowId() + "`), then roll back");
    }
    output.err().println("rollback " + execution.getWorkflowId() + " started (run " + execution.getRunId() + ")");
    output.err().flush();
    DeploymentReport report = deployments.follow(execution.getWorkflowId(), execution.getRunId(),
        new Progress(output.err()));
    Printer.report(output, report);
    return ExitCode.of(report);
  }

  private int runEmbedded(TemporalSettings settings, RollbackRequest request) {
    Map<String, String> env = FlaredeployCommand.environment(output.mixee);
    output.err().println("No Temporal server at " + settings.address() + ": running this rollback with an in-process "
        + "server and worker, which last only as long as this command.");
    ActivitiesFactory.Activities activities;
    try {
      activities = ActivitiesFactory.forWorker(env);
    } catch (IllegalStateException e) {
      throw new CliException(ExitCode.UNAVAILABLE, e.getMessage(), e);
    }
    try (EmbeddedTemporal embedded = EmbeddedTemporal.start(settings.namespace(), temporal.taskQueue(),
        activities.deployment(), activities.more())) {
      return run(new Deployments(embedded.connection().client(), embedded.connection().stubs(), temporal.taskQueue()),
          request);
    } catch (IllegalStateException e) {
      throw new CliException(ExitCode.UNAVAILABLE, e.getMessage(), e);
    }
  }
}
