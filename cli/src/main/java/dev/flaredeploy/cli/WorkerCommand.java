package dev.flaredeploy.cli;

import dev.flaredeploy.worker.ActivitiesFactory;
import dev.flaredeploy.worker.PipelineWorker;
import dev.flaredeploy.worker.SearchAttributeSetup;
import dev.flaredeploy.worker.ServerKind;
import dev.flaredeploy.worker.StickyExecution;
import dev.flaredeploy.worker.TemporalConnection;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "worker", mixinStandardHelpOptions = true,
    header = "Run a worker that executes deployments from the task queue until stopped.",
    description = {"A worker that died is simply started again; its deployments carry on. Against the in-memory",
        "dev server (flaredeploy dev-server) it turns sticky execution off by itself, and says so."})
class WorkerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin TemporalOptions temporal;

  @Option(names = "--no-sticky", description = {"turn sticky execution off whatever the server (also",
      "TEMPORAL_DISABLE_STICKY=true); not needed against flaredeploy dev-server, which is detected"})
  boolean noSticky;

  @Option(names = "--max-concurrent-steps", paramLabel = "N", defaultValue = "0",
      description = {"how many deployment steps (activities) this worker runs at once; when all run, other",
          "workers on the task queue take the next ones (default: the Temporal SDK's, 200)"})
  int maxConcurrentSteps;

  @Override
  public Integer call() throws Exception {
    if (maxConcurrentSteps < 0) {
      throw new CliException(ExitCode.INVALID_INPUT, "--max-concurrent-steps must be 1 or more (0: the default)");
    }
    Map<String, String> env = FlaredeployCommand.environment(spec);
    PrintWriter err = spec.commandLine().getErr();
    TemporalConnection connection = temporal.connect();
    PipelineWorker worker;
    StickyExecution sticky;
    try {
      SearchAttributeSetup.ensure(connection.stubs(), connection.namespace());
      sticky = StickyExecution.choose(noSticky, env, () -> ServerKind.of(connection));
      worker = PipelineWorker.start(connection.client(), temporal.taskQueue(), sticky.sticky(),
          ActivitiesFactory.create(env), maxConcurrentSteps);
    } catch (IllegalStateException e) {
      connection.close();
      throw new CliException(ExitCode.UNAVAILABLE, e.getMessage(), e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      connection.close();
    }));
    err.println("flaredeploy worker polling task queue " + temporal.taskQueue() + " at " + connection.description()
        + " (namespace " + connection.namespace() + "); Ctrl-C stops it");
    err.println("  " + sticky.reason());
    err.flush();
    worker.awaitTermination();
    return ExitCode.SUCCEEDED;
  }
}
