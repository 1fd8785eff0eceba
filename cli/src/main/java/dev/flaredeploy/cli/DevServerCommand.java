package dev.flaredeploy.cli;

import dev.flaredeploy.worker.ActivitiesFactory;
import dev.flaredeploy.worker.DevServer;
import dev.flaredeploy.worker.PipelineWorker;
import dev.flaredeploy.worker.SearchAttributeSetup;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.worker.TemporalSettings;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "dev-server", mixinStandardHelpOptions = true,
    header = "Run the in-memory Temporal test server for development, with a worker.",
    description = {"It KEEPS NOTHING ON DISK: stopping it loses every deployment's history. It has no UI.",
        "Workers started against it (flaredeploy worker) detect it and turn sticky execution off.",
        "For durability and the Temporal UI use docker-compose.yml (see docs/operations.md)."})
class DevServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin TemporalOptions temporal;

  @Option(names = "--port", defaultValue = "7233", description = "port of the Temporal frontend (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--no-worker", description = "do not run a worker here (run `flaredeploy worker` yourself)")
  boolean noWorker;

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = FlaredeployCommand.environment(spec);
    PrintWriter err = spec.commandLine().getErr();
    DevServer server;
    try {
      server = DevServer.start(port);
    } catch (RuntimeException e) {
      throw new CliException(ExitCode.UNAVAILABLE, "could not start the dev server on port " + port + ": " + e.getMessage(), e);
    }
    String address = "127.0.0.1:" + port;
    TemporalConnection connection = TemporalConnection.connect(
        TemporalSettings.load(address, temporal.settings().namespace(), env), TemporalOptions.CONNECT_TIMEOUT);
    SearchAttributeSetup.ensure(connection.stubs(), connection.namespace());
    // this server is the Java test server: sticky execution off (see StickyExecution)
    ActivitiesFactory.Activities activities = noWorker ? null : ActivitiesFactory.forWorker(env);
    PipelineWorker worker = noWorker ? null
        : PipelineWorker.start(connection.client(), temporal.taskQueue(), false, activities.deployment(),
            activities.more());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (worker != null) {
        worker.close();
      }
      connection.close();
      server.close();
      stopped.countDown();
    }));
    err.println("Temporal dev server on " + address + " (namespace " + connection.namespace() + ")"
        + (worker == null ? "" : " with a flaredeploy worker on task queue " + temporal.taskQueue()) + ".");
    err.println("It is in memory: it keeps nothing on disk, and everything is lost when it stops. No UI.");
    err.println("Use it with: flaredeploy deploy --address " + address + " …   (Ctrl-C stops it)");
    err.flush();
    stopped.await();
    return ExitCode.SUCCEEDED;
  }
}
