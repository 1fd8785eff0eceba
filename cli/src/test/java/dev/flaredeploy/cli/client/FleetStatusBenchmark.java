package dev.flaredeploy.cli.client;

import dev.flaredeploy.workflows.DeploymentAttributes;
import dev.flaredeploy.workflows.FleetWorkflowImpl;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.FleetMember;
import dev.flaredeploy.workflows.model.FleetOptions;
import dev.flaredeploy.workflows.model.FleetReport;
import dev.flaredeploy.workflows.model.FleetRequest;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * What reading a fleet costs the CLI as the fleet grows, side by side in one run: fleets of each size (members
 * that each take a day of skipped time, 20 at a time) on the in-memory test server, read half-way (the query,
 * and the running members' own reports) and once ended (its result), and listed (the memo alone); with each
 * read's size on the wire. Not a test: {@code bench/fleet-status.sh [SIZES...]}.
 */
public final class FleetStatusBenchmark {
  private static final String QUEUE = "fleet-status-bench";
  private static final int ROUNDS = 5;

  private FleetStatusBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = args.length == 0 ? List.of(10, 100, 500)
        : Arrays.stream(args).map(Integer::parseInt).toList();
    System.out.println("members  status half-way (ms)  status ended (ms)  list (ms)  report bytes  memo bytes");
    for (int size : sizes) {
      run(size);
    }
  }

  private static void run(int size) throws Exception {
    TestEnvironmentOptions.Builder options = TestEnvironmentOptions.newBuilder();
    DeploymentAttributes.ALL.forEach(
        k -> options.registerSearchAttribute(k.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(options.build())) {
      Worker worker = env.newWorker(QUEUE);
      worker.registerWorkflowImplementationTypes(FleetWorkflowImpl.class, FleetsTest.CheckingMember.class);
      env.start();
      Fleets fleets = new Fleets(env.getWorkflowClient(), env.getWorkflowServiceStubs(), QUEUE);
      String id = "fleet:local:bench:" + size;
      List<FleetMember> members = IntStream.range(0, size)
          .mapToObj(i -> new FleetMember(new DeploymentRequest("/p", "tenant-" + i, "local", "bench", null, "bench",
              false, null), null, false, List.of()))
          .toList();
      fleets.start(id, new FleetRequest("bench --env tenant-*", "local", members, new FleetOptions(1, 20, 0, false),
          "bench", null, null, 1, false), "bench", "bench");
      env.sleep(Duration.ofDays(size / 20 / 2 + 1));
      double halfway = median(() -> fleets.status(id));
      WorkflowStub.fromTyped(env.getWorkflowClient().newWorkflowStub(
          dev.flaredeploy.workflows.FleetWorkflow.class, id)).getResult(FleetReport.class);
      double ended = median(() -> fleets.status(id));
      double list = median(() -> fleets.list(null, null, 20));
      FleetReport report = fleets.status(id);
      int reportBytes = io.temporal.common.converter.DefaultDataConverter.newDefaultInstance()
          .toPayload(report).orElseThrow().getSerializedSize();
      int memoBytes = io.temporal.common.converter.DefaultDataConverter.newDefaultInstance()
          .toPayload(report.withoutMembers()).orElseThrow().getSerializedSize();
      System.out.printf(Locale.ROOT, "%7d  %21.1f  %17.1f  %9.1f  %12d  %10d%n", size, halfway, ended, list,
          reportBytes, memoBytes);
    }
  }

  /** The median wall time of {@value #ROUNDS} calls, in milliseconds. */
  private static double median(Supplier<?> read) {
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < ROUNDS; i++) {
      long start = System.nanoTime();
      read.get();
      times.add((System.nanoTime() - start) / 1e6);
    }
    times.sort(Double::compare);
    return times.get(ROUNDS / 2);
  }
}
