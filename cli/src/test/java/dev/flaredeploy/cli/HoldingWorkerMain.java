package dev.flaredeploy.cli;

import dev.flaredeploy.worker.ActivitiesFactory;
import dev.flaredeploy.worker.PipelineWorker;
import dev.flaredeploy.worker.ServerKind;
import dev.flaredeploy.worker.StickyExecution;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.worker.TemporalSettings;
import dev.flaredeploy.workflows.Steps;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * TEST ONLY: a worker process whose activities hold in one chosen step until the process is killed, so a
 * test can {@code kill -9} it at a known point of a deployment. It runs the real activities ({@link
 * ActivitiesFactory}) behind {@link HoldingActivities}, and decides on sticky execution as {@code flaredeploy
 * worker} does ({@link StickyExecution}: off, since it finds the dev-server is the Java test server).
 *
 * <pre>
 * java -cp &lt;test classpath&gt; dev.flaredeploy.cli.HoldingWorkerMain \
 *     --address 127.0.0.1:PORT --task-queue Q --hold STEP --when before|after --marker FILE
 * </pre>
 *
 * <p>The environment is the worker's own (FLAREDEPLOY_HOME, FLAREDEPLOY_ROOT). For a kill in the middle of a
 * step, tests kill the packaged {@code flaredeploy worker} instead.
 */
public final class HoldingWorkerMain {
  private static final Set<String> STEPS = Set.of(Steps.PREPARE, Steps.VALIDATE_SCHEMA, Steps.CHECKPOINT,
      Steps.APPLY_MIGRATIONS, Steps.DEPLOY_WORKER, Steps.SMOKE_TEST, Steps.ROLLBACK_WORKER, Steps.RESTORE_DATABASE);

  private HoldingWorkerMain() {}

  public static void main(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    String address = required(options, "--address");
    String taskQueue = required(options, "--task-queue");
    HoldingActivities.When when = HoldingActivities.When.valueOf(required(options, "--when").toUpperCase());
    String step = required(options, "--hold");
    if (!STEPS.contains(step)) {
      throw new IllegalArgumentException("--hold must be one of " + STEPS + ", not " + step);
    }
    Path marker = Path.of(required(options, "--marker"));

    TemporalConnection connection = TemporalConnection.connect(
        TemporalSettings.load(address, null, System.getenv()), Duration.ofSeconds(10));
    HoldingActivities activities =
        new HoldingActivities(ActivitiesFactory.create(System.getenv()), step, when, marker);
    StickyExecution sticky = StickyExecution.choose(false, System.getenv(), () -> ServerKind.of(connection));
    PipelineWorker worker = PipelineWorker.start(connection.client(), taskQueue, sticky.sticky(), activities,
        ActivitiesFactory.more(System.getenv()));
    System.err.println("holding worker (pid " + ProcessHandle.current().pid() + ") polls " + taskQueue + " at "
        + address + "; holds " + when.name().toLowerCase() + " " + step + "; " + sticky.reason());
    worker.awaitTermination();
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException("missing " + name);
    }
    return value;
  }
}
