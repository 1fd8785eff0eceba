package dev.flaredeploy.cli;

import dev.flaredeploy.activities.cloudflare.CloudflareTarget;
import dev.flaredeploy.activities.cloudflare.ProvisionedDatabase;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.cli.client.AlreadyRunningException;
import dev.flaredeploy.cli.client.Deployments;
import dev.flaredeploy.cli.render.ApprovalCommands;
import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.cli.render.Progress;
import dev.flaredeploy.worker.ActivitiesFactory;
import dev.flaredeploy.worker.EmbeddedTemporal;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.worker.TemporalSettings;
import dev.flaredeploy.worker.TemporalUnreachableException;
import dev.flaredeploy.workflows.DeploymentIds;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "deploy", mixinStandardHelpOptions = true,
    header = "Deploy a Worker and its D1 databases, undoing what was done when a step fails.",
    description = {
      "Steps: prepare, validate-schema, checkpoint, apply-migrations, deploy-worker, smoke-test;",
      "compensations in reverse when one fails. Validates the project first (bad input: exit 2, nothing",
      "started), then follows the deployment with step progress on stderr and prints the result on stdout.",
      "Several projects or environments (--env 'tenant-*', --env a,b) are one fleet run: each member an",
      "ordinary deployment, in waves (--canary, --parallel) with a failure budget (--max-failures)."})
class DeployCommand implements Callable<Integer> {
  @Mixin SelectionOptions selection;
  @Mixin WaveOptions waves;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Option(names = "--commit", paramLabel = "SHA", description = "deploy this git commit instead of the directory as it is")
  String commit;

  @Option(names = "--allow-destructive",
      description = "let destructive and renaming migrations through (validate-schema blocks them otherwise)")
  boolean allowDestructive;

  @Option(names = "--provision",
      description = {"Cloudflare: for each D1 binding without a database_id, find the database by its database_name",
          "(wrangler d1 list) or create it (wrangler d1 create), print the config entry to add, and stop (exit 2)",
          "without deploying; never edits your files. With every database_id in place it changes nothing"})
  boolean provision;

  @Mixin PolicyOverrideOptions policyOverrides;

  @Option(names = "--detach", description = "print the deployment id and return instead of following it")
  boolean detach;

  @Option(names = "--if-running", defaultValue = "fail", paramLabel = "fail|wait",
      description = {"when this service and environment is being deployed: fail (exit 3, naming it; the default)",
          "or wait for it to end, then start"})
  IfRunning ifRunning;

  enum IfRunning { fail, wait }

  /** How many runs (deployments, or fleet runs) ahead of this one --if-running wait waits for, at most. */
  private static final int MAX_WAITS = 100;

  /**
   * What deploy starts and follows: one deployment, or a fleet run ({@link FleetDeploy}).
   */
  interface Launch {
    /**
     * Starts, follows (unless --detach) and prints the result; returns the exit code.
     *
     * @param embedded whether the run lives in this process (see {@link #hint})
     */
    int run(WorkflowClient client, WorkflowServiceStubs stubs, boolean embedded);

    /** Embedded mode, interrupted: cancels what was started and waits (bounded) for its undo. */
    void cancelAndWait(WorkflowClient client, WorkflowServiceStubs stubs, PrintWriter err);

    /**
     * The environments of this run that wait for an approval ({@code [approval] required}), as a person names
     * them; embedded mode refuses these, since nothing would outlive the command to approve them.
     */
    List<String> approvalRequired();
  }

  @Override
  public Integer call() {
    Launch launch = launch();
    TemporalSettings settings = temporal.settings();
    if (TemporalOptions.nothingAtDefaultAddress(settings)) {
      return runEmbedded(settings, launch);
    }
    try (TemporalConnection connection = TemporalConnection.connect(settings, TemporalOptions.CONNECT_TIMEOUT)) {
      return launch.run(connection.client(), connection.stubs(), false);
    } catch (TemporalUnreachableException e) {
      if (settings.explicit()) {
        throw new CliException(ExitCode.UNAVAILABLE, e.getMessage(), e);
      }
      return runEmbedded(settings, launch);
    }
  }

  /** The selection, checked (bad input: exit 2, nothing started): one deployment, or a fleet of them. */
  private Launch launch() {
    if (selection.fleet()) {
      FleetSelection fleet = FleetSelection.resolve(selection.projects(), selection.environments(), selection.target,
          commit, allowDestructive, policyOverrides.overrides(), selection.workingDirectory(), output.err());
      if (fleet.members().size() > 1) {
        if (provision) {
          throw new CliException(ExitCode.INVALID_INPUT, "--provision finds or creates the databases of one "
              + "environment at a time; run it for each (flaredeploy deploy DIR --env NAME --provision), then deploy"
              + " the fleet (nothing was started)");
        }
        return new FleetDeploy(fleet, waves.options(fleet.parallel()), output, temporal.taskQueue(), detach,
            ifRunning == IfRunning.wait);
      }
      return single(fleet.members().get(0));
    }
    return single(ProjectInput.of(selection.directory(), selection.environments().get(0), selection.target, commit,
        allowDestructive, policyOverrides.overrides(), output.err()));
  }

  private Launch single(ProjectInput input) {
    if (waves.given()) {
      output.err().println("note: --canary, --parallel, --max-failures and --all-or-nothing apply to fleet runs;"
          + " this selection is one deployment");
    }
    if (provision) {
      provision(input);
    }
    return new Launch() {
      @Override
      public int run(WorkflowClient client, WorkflowServiceStubs stubs, boolean embedded) {
        return DeployCommand.this.run(new Deployments(client, stubs, temporal.taskQueue()), input,
            hint(embedded, "deployment"));
      }

      @Override
      public void cancelAndWait(WorkflowClient client, WorkflowServiceStubs stubs, PrintWriter err) {
        DeployCommand.cancelAndWait(new Deployments(client, stubs, temporal.taskQueue()), input.request(), err);
      }

      @Override
      public List<String> approvalRequired() {
        return input.project().approvalRequired() ? List.of(input.request().environment()) : List.of();
      }
    };
  }

  /**
   * --provision, in this process with its own Cloudflare credentials (like {@code plan}): finds or creates the
   * databases of bindings without a database_id and prints the entries to add. Returns when there was nothing
   * to provision; otherwise stops with exit 2, since wrangler cannot reach a database the config does not name
   * and flaredeploy never edits the user's files.
   */
  private void provision(ProjectInput input) {
    PrintWriter out = output.out();
    PrintWriter err = output.err();
    String chosen = input.request().target();
    if (!"cloudflare".equals(chosen)) {
      err.println("--provision: nothing to do on the " + chosen + " target, which needs no database ids");
      return;
    }
    InProcessTarget planned = InProcessTarget.of(input.request(), FlaredeployCommand.environment(output.mixee));
    DeploymentPlan plan = planned.plan();
    CloudflareTarget cloudflare = (CloudflareTarget) planned.target();
    List<ProvisionedDatabase> provisioned = InProcessTarget.run(
        type -> FailureTypes.CREDENTIALS_MISSING.equals(type)
            ? "--provision runs in this command with its own Cloudflare credentials: " : "--provision: ",
        () -> cloudflare.provision(plan, ProcessRunner.Tick.NONE));
    if (provisioned.isEmpty()) {
      err.println("--provision: every D1 binding of " + plan.environment()
          + " has a database_id; nothing to provision");
      return;
    }
    Path configFile = input.project().configFile();
    if (output.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("configFile", configFile.toString());
      json.put("environment", plan.environment());
      json.put("provisioned", provisioned);
      json.put("deployed", false);
      out.println(Json.write(json));
    } else {
      for (ProvisionedDatabase db : provisioned) {
        out.println("# D1 binding " + db.binding() + ": " + (db.created() ? "created" : "found the existing")
            + " database " + db.databaseName() + " (" + db.databaseId() + "); its entry in " + configFile + ":");
        out.println(db.snippet());
      }
    }
    out.flush();
    throw new CliException(ExitCode.INVALID_INPUT, "the deployment was not started: add the database_id"
        + (provisioned.size() > 1 ? "s" : "") + " above to " + configFile + " (flaredeploy never edits your files),"
        + " then deploy again");
  }

  /** No server at the default address: an in-process server and worker for this one run. */
  private int runEmbedded(TemporalSettings settings, Launch launch) {
    List<String> gated = launch.approvalRequired();
    if (!gated.isEmpty()) {
      throw new CliException(ExitCode.INVALID_INPUT, (gated.size() == 1
          ? "the " + gated.get(0) + " environment requires"
          : "the environments " + String.join(", ", gated) + " require")
          + " an approval ([approval] in flaredeploy.toml), and no Temporal server answers at " + settings.address()
          + ": an approval waits durably (for days, across restarts) for `flaredeploy approve`, which needs a server "
          + "that outlives this command. Start one (docker compose up, or flaredeploy dev-server) and a worker "
          + "(flaredeploy worker), then deploy again; nothing was started");
    }
    if (detach) {
      throw new CliException(ExitCode.INVALID_INPUT, "--detach needs a Temporal server that outlives this command, "
          + "and none answers at " + settings.address() + "; start one (docker compose up, or flaredeploy dev-server)");
    }
    output.err().println("No Temporal server at " + settings.address() + ": running this deployment with an in-process "
        + "server and worker, which last only as long as this command. For durable deployments start a server "
        + "(docker compose up, or flaredeploy dev-server) and a worker (flaredeploy worker).");
    output.err().flush();
    ActivitiesFactory.Activities activities = activities();
    try (EmbeddedTemporal embedded = EmbeddedTemporal.start(settings.namespace(), temporal.taskQueue(),
        activities.deployment(), activities.more())) {
      WorkflowClient client = embedded.connection().client();
      WorkflowServiceStubs stubs = embedded.connection().stubs();
      PrintWriter err = output.err();
      Thread undoOnInterrupt = new Thread(() -> launch.cancelAndWait(client, stubs, err));
      Runtime.getRuntime().addShutdownHook(undoOnInterrupt);
      try {
        return launch.run(client, stubs, true);
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(undoOnInterrupt);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: it finishes the undo
        }
      }
    }
  }

  /**
   * What a person reads after "started": what Ctrl-C does to the {@code noun} ("deployment", "fleet") — with a
   * server, it stops following only; embedded, it cancels the run, since nothing outlives this command.
   */
  static String hint(boolean embedded, String noun) {
    return embedded
        ? "Ctrl-C cancels it (undoing what it did), since nothing outlives this command"
        : "Ctrl-C stops following, not the " + noun + "; `flaredeploy watch ID` follows it again";
  }

  /**
   * Embedded mode only: the deployment dies with this process, so an interrupt cancels it and waits
   * (bounded) for its compensations rather than leave a half-migrated database behind.
   */
  private static void cancelAndWait(Deployments deployments, DeploymentRequest request, PrintWriter err) {
    String id = DeploymentIds.workflowId(
        request.target(), request.service(), request.environment());
    cancelAndWait(id, deployments::cancel,
        runId -> deployments.follow(id, runId, report -> { }), // the deploy thread prints
        " and undoing what it did…", "", err);
  }

  /**
   * Embedded mode, interrupted, for a deployment or a fleet run alike: cancels the run {@code id}, says so, waits at
   * most {@link #EMBEDDED_UNDO_LIMIT} for it to end (its compensations), and reports when it could not.
   *
   * @param cancel requests cancellation with a reason; returns the run id ({@link IllegalStateException}: it had
   *     ended already, and nothing is said)
   * @param followToEnd follows that run id until the run ends
   * @param cancelling what follows "interrupted: cancelling ID"
   * @param whatToCheck what follows "check " when the undo could not be finished
   */
  static void cancelAndWait(String id, BiFunction<String, String, String> cancel, Consumer<String> followToEnd,
      String cancelling, String whatToCheck, PrintWriter err) {
    try {
      String runId = cancel.apply(id, "interrupted while running embedded");
      err.println("interrupted: cancelling " + id + cancelling);
      err.flush();
      CompletableFuture
          .runAsync(() -> followToEnd.accept(runId))
          .get(EMBEDDED_UNDO_LIMIT.toSeconds(), TimeUnit.SECONDS);
    } catch (IllegalStateException notRunning) {
      // it had ended already
    } catch (Exception e) {
      err.println("could not finish undoing " + id + " (" + e + "); check " + whatToCheck + "`flaredeploy local "
          + "status` and the databases' restore points under the flaredeploy home");
      err.flush();
    }
  }

  /** How long an interrupted embedded deployment (or fleet) may take to undo itself. */
  private static final Duration EMBEDDED_UNDO_LIMIT = Duration.ofMinutes(3);

  private int run(Deployments deployments, ProjectInput input, String hint) {
    WorkflowExecution execution = start(deployments, input);
    if (detach) {
      if (output.json()) {
        output.out().println(Json.write(Map.of("id", execution.getWorkflowId(), "runId", execution.getRunId(),
            "state", "RUNNING")));
      } else {
        output.out().println(execution.getWorkflowId());
      }
      output.out().flush();
      return ExitCode.SUCCEEDED;
    }
    output.err().println("deployment " + execution.getWorkflowId() + " started (run " + execution.getRunId() + "); "
        + hint);
    if (input.project().approvalRequired()) {
      output.err().println("the " + input.request().environment() + " environment requires an approval: after its "
          + "checks the deployment waits for `" + ApprovalCommands.approve(execution.getWorkflowId(), "D") + "`; "
          + "this command keeps following it (Ctrl-C stops following, not the deployment)");
    }
    DeploymentReport report = deployments.follow(
        execution.getWorkflowId(), execution.getRunId(), new Progress(output.err()));
    Printer.report(output, report);
    return ExitCode.of(report);
  }

  /** Starts the deployment; with --if-running wait, queues behind the running ones first. */
  private WorkflowExecution start(Deployments deployments, ProjectInput input) {
    DeploymentRequest request = input.request();
    return start(() -> deployments.start(request, input.commit(), input.dirty()), ifRunning == IfRunning.wait,
        e -> "a deployment of " + request.service() + " ("
            + request.environment() + ", " + request.target() + ") is already running: " + e.workflowId()
            + " (run " + e.runId() + "); follow it with `flaredeploy watch " + e.workflowId() + "`, stop it "
            + "with `flaredeploy cancel " + e.workflowId() + "`, or queue behind it with --if-running wait",
        e -> "waiting for the running deployment " + e.workflowId() + " (run " + e.runId()
            + ") to end before starting",
        e -> deployments.follow(e.workflowId(), e.runId(), report -> { }),
        output.err());
  }

  /**
   * Starts a run (a deployment or a fleet run) with {@code start}; when one is already running, refuses (exit 3)
   * unless {@code waitIfRunning}, else says so, follows it to its end and tries again — at most
   * {@value #MAX_WAITS} times.
   *
   * @param refusal the refusal's message, naming the running one
   * @param waiting the line said before waiting for the running one
   * @param followToEnd follows the running one until it ends
   */
  static WorkflowExecution start(Supplier<WorkflowExecution> start, boolean waitIfRunning,
      Function<AlreadyRunningException, String> refusal, Function<AlreadyRunningException, String> waiting,
      Consumer<AlreadyRunningException> followToEnd, PrintWriter err) {
    for (int waited = 0; ; waited++) {
      try {
        return start.get();
      } catch (AlreadyRunningException e) {
        if (!waitIfRunning || waited >= MAX_WAITS) {
          throw new CliException(ExitCode.REFUSED, refusal.apply(e));
        }
        err.println(waiting.apply(e));
        err.flush();
        followToEnd.accept(e);
      }
    }
  }

  private ActivitiesFactory.Activities activities() {
    try {
      return ActivitiesFactory.forWorker(FlaredeployCommand.environment(output.mixee));
    } catch (IllegalStateException e) {
      throw new CliException(ExitCode.UNAVAILABLE, e.getMessage(), e);
    }
  }
}
