package dev.flaredeploy.cli;

import dev.flaredeploy.worker.ActivitiesFactory;
import dev.flaredeploy.worker.DevServer;
import dev.flaredeploy.worker.PipelineWorker;
import dev.flaredeploy.worker.SearchAttributeSetup;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.worker.TemporalSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "dev-server", mixinStandardHelpOptions = true,
    description = {"Run the in-memory Temporal test server for development, with a worker (sticky off).",
        "It KEEPS NOTHING ON DISK: stopping it loses every deployment's history. It has no UI.",
        "For durability and the Temporal UI use docker-compose.yml (see docs/operations.md)."})
class DevServerCommand implements Callable<Integer> {
  @ParentCommand FlaredeployCommand root;

  @Option(names = "--port", defaultValue = "7233", description = "port of the Temporal frontend (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--no-worker", description = "do not run a worker here (run `flaredeploy worker --no-sticky` yourself)")
  boolean noWorker;

  @Override
  public Integer call() throws Exception {
    DevServer server;
    try {
      server = DevServer.start(port);
    } catch (RuntimeException e) {
      throw new CliException(ExitCode.UNAVAILABLE, "could not start the dev server on port " + port + ": " + e.getMessage(), e);
    }
    String address = "127.0.0.1:" + port;
    TemporalConnection connection = TemporalConnection.connect(
        TemporalSettings.load(address, root.namespace, System.getenv()), Connections.CONNECT_TIMEOUT);
    SearchAttributeSetup.ensure(connection.stubs(), connection.namespace());
    PipelineWorker worker = noWorker ? null
        : PipelineWorker.start(connection.client(), root.taskQueue, false, ActivitiesFactory.create(System.getenv()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (worker != null) {
        worker.close();
      }
      connection.close();
      server.close();
      stopped.countDown();
    }));
    System.err.println("Temporal dev server on " + address + " (namespace " + connection.namespace() + ")"
        + (worker == null ? "" : " with a flaredeploy worker on task queue " + root.taskQueue) + ".");
    System.err.println("It is in memory: it keeps nothing on disk, and everything is lost when it stops. No UI.");
    System.err.println("Use it with: flaredeploy deploy --address " + address + " …   (Ctrl-C stops it)");
    stopped.await();
    return ExitCode.SUCCEEDED;
  }
}
