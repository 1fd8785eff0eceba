package dev.flaredeploy.cli;

import dev.flaredeploy.worker.ActivitiesFactory;
import dev.flaredeploy.worker.PipelineWorker;
import dev.flaredeploy.worker.SearchAttributeSetup;
import dev.flaredeploy.worker.TemporalConnection;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {"Run a worker: it executes deployments from the task queue until stopped.",
        "A worker that died is simply started again; its deployments carry on."})
class WorkerCommand implements Callable<Integer> {
  @ParentCommand FlaredeployCommand root;

  @Option(names = "--no-sticky", description = {"turn sticky execution off; needed against the Java test server",
      "(flaredeploy dev-server). Also TEMPORAL_DISABLE_STICKY=true."})
  boolean noSticky;

  @Override
  public Integer call() throws Exception {
    boolean sticky = !(noSticky || "true".equalsIgnoreCase(System.getenv("TEMPORAL_DISABLE_STICKY")));
    TemporalConnection connection = Connections.connect(root);
    SearchAttributeSetup.ensure(connection.stubs(), connection.namespace());
    PipelineWorker worker;
    try {
      worker = PipelineWorker.start(connection.client(), root.taskQueue, sticky, ActivitiesFactory.create(System.getenv()));
    } catch (IllegalStateException e) {
      connection.close();
      throw new CliException(ExitCode.UNAVAILABLE, e.getMessage(), e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      connection.close();
    }));
    System.err.println("flaredeploy worker polling task queue " + root.taskQueue + " at " + connection.description()
        + " (namespace " + connection.namespace() + (sticky ? "" : ", sticky execution off") + "); Ctrl-C stops it");
    worker.awaitTermination();
    return ExitCode.SUCCEEDED;
  }
}
