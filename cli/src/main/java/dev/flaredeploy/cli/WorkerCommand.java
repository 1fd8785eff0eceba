package dev.flaredeploy.cli;

import dev.flaredeploy.worker.ActivitiesFactory;
import dev.flaredeploy.worker.ApprovalsWaiting;
import dev.flaredeploy.worker.WorkerMetrics;
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

  @Option(names = "--metrics-port", paramLabel = "N", description = {"serve Prometheus metrics on",
      "http://127.0.0.1:N/metrics: the Temporal SDK's and flaredeploy's (deployments by outcome, step durations,",
      "rollbacks, compensations that needed a person, migrations applied, approvals waiting)"})
  Integer metricsPort;

  @Option(names = "--metrics-address", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "where --metrics-port listens (default 127.0.0.1; 0.0.0.0 in a container a scraper reaches)")
  String metricsAddress;

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
    if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
      throw new CliException(ExitCode.INVALID_INPUT, "--metrics-port " + metricsPort + ": expected 0 to 65535");
    }
    WorkerMetrics metrics = metricsPort == null ? null : WorkerMetrics.create(java.time.Duration.ofSeconds(1));
    TemporalConnection connection = temporal.connect(metrics == null ? null : metrics.scope());
    if (metrics != null) {
      try {
        metrics.approvalsWaiting(new ApprovalsWaiting(connection.client(), connection.stubs()));
        int port = metrics.serve(metricsAddress, metricsPort);
        err.println("metrics: http://" + metricsAddress + ":" + port + "/metrics");
      } catch (RuntimeException e) {
        connection.close();
        throw new CliException(ExitCode.INVALID_INPUT, e.getMessage(), e);
      }
    }
    PipelineWorker worker;
    StickyExecution sticky;
    try {
      SearchAttributeSetup.ensure(connection.stubs(), connection.namespace());
      sticky = StickyExecution.choose(noSticky, env, () -> ServerKind.of(connection));
      ActivitiesFactory.Activities activities = ActivitiesFactory.forWorker(env);
      worker = PipelineWorker.start(connection.client(), temporal.taskQueue(), sticky.sticky(),
          maxConcurrentSteps, activities.deployment(), activities.more());
    } catch (IllegalStateException e) {
      connection.close();
      throw new CliException(ExitCode.UNAVAILABLE, e.getMessage(), e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      connection.close();
      if (metrics != null) {
        metrics.close();
      }
    }));
    err.println("flaredeploy worker polling task queue " + temporal.taskQueue() + " at " + connection.description()
        + " (namespace " + connection.namespace() + "); Ctrl-C stops it");
    err.println("  " + sticky.reason());
    err.flush();
    worker.awaitTermination();
    return ExitCode.SUCCEEDED;
  }
}
