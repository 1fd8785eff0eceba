package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.testkit.CloudflareApiRecorder;
import dev.flaredeploy.testkit.ExampleProjects;
import dev.flaredeploy.workflows.model.DeploymentReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A first Cloudflare deployment of examples/hello-d1 (two migrations, one Worker) through flaredeploy,
 * side by side in one run with the bare script it replaces: {@code wrangler d1 migrations apply DB --remote}
 * followed by {@code wrangler deploy}. Both drive the pinned wrangler against a fresh {@link
 * CloudflareApiRecorder} per round (no network latency at all, so the figures are what flaredeploy itself
 * costs); flaredeploy runs the real workflow and activities on Temporal's in-process test server, started
 * before the clock starts (as a running server and worker would be). Also times a no-op re-deploy of each,
 * and counts the processes and API calls of each.
 *
 * <p>Not a test of the build (its name is none of surefire's test patterns, and it runs only with {@code
 * -Dflaredeploy.bench=<rounds>}): {@code bench/cloudflare-deploy.sh [rounds]} runs it.
 */
class CloudflareDeployBenchmark {
  @Test
  @EnabledIfSystemProperty(named = "flaredeploy.bench", matches = "[0-9]+")
  void compareWithTheBareScript() throws Exception {
    main(new String[] {System.getProperty("flaredeploy.bench")});
  }

  /** Counts the processes started through it. */
  static final class CountingRunner extends ProcessRunner {
    final AtomicInteger started = new AtomicInteger();

    @Override
    public ProcessResult run(
        List<String> argv, Path workingDir, Map<String, String> env, Duration timeout, Tick tick) {
      started.incrementAndGet();
      return super.run(argv, workingDir, env, timeout, tick);
    }
  }

  static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path work = Files.createTempDirectory("flaredeploy-cf-bench-");
    List<Double> bareFirst = new ArrayList<>();
    List<Double> bareAgain = new ArrayList<>();
    List<Double> oursFirst = new ArrayList<>();
    List<Double> oursAgain = new ArrayList<>();
    int[] processes = new int[4];
    int[] calls = new int[4];
    try {
      for (int round = 1; round <= rounds; round++) {
        Path dir = work.resolve("round-" + round);
        boolean bareFirstThisRound = round % 2 == 1; // alternate, so neither always runs on a warmer machine
        for (int side = 0; side < 2; side++) {
          if ((side == 0) == bareFirstThisRound) {
            Result[] bare = bare(dir.resolve("bare"));
            bareFirst.add(bare[0].seconds);
            bareAgain.add(bare[1].seconds);
            processes[0] = bare[0].processes;
            processes[1] = bare[1].processes;
            calls[0] = bare[0].calls;
            calls[1] = bare[1].calls;
          } else {
            Result[] ours = flaredeploy(dir.resolve("flaredeploy"));
            oursFirst.add(ours[0].seconds);
            oursAgain.add(ours[1].seconds);
            processes[2] = ours[0].processes;
            processes[3] = ours[1].processes;
            calls[2] = ours[0].calls;
            calls[3] = ours[1].calls;
          }
        }
        System.err.printf(Locale.ROOT, "round %d: bare %.2f s / %.2f s, flaredeploy %.2f s / %.2f s%n", round,
            last(bareFirst), last(bareAgain), last(oursFirst), last(oursAgain));
      }
    } finally {
      dev.flaredeploy.activities.local.LocalWorkspace.deleteTree(work);
    }
    double bf = median(bareFirst);
    double of = median(oursFirst);
    double ba = median(bareAgain);
    double oa = median(oursAgain);
    System.out.printf(Locale.ROOT, "first deploy, median of %d (s): bare script %.2f, flaredeploy %.2f -> %.2fx%n",
        rounds, bf, of, of / bf);
    System.out.printf(Locale.ROOT, "re-deploy, nothing changed (s): bare script %.2f, flaredeploy %.2f -> %.2fx%n",
        ba, oa, oa / ba);
    System.out.printf(Locale.ROOT, "processes (first / re-deploy): bare script %d / %d, flaredeploy %d / %d%n",
        processes[0], processes[1], processes[2], processes[3]);
    System.out.printf(Locale.ROOT, "API calls (first / re-deploy): bare script %d / %d, flaredeploy %d / %d%n",
        calls[0], calls[1], calls[2], calls[3]);
    System.out.println("bare first: " + seconds(bareFirst) + "; flaredeploy first: " + seconds(oursFirst));
  }

  private record Result(double seconds, int processes, int calls) {}

  /** {@code wrangler d1 migrations apply DB --remote} then {@code wrangler deploy}, twice. */
  private static Result[] bare(Path dir) throws IOException, InterruptedException {
    String token = "cfut_bench_" + Long.toHexString(System.nanoTime());
    String account = "0123456789abcdef0123456789abcdef";
    try (CloudflareApiRecorder recorder =
        CloudflareApiRecorder.start(token, account).database(CloudflarePipeline.DB_ID, "hello-d1-db")) {
      Path project = ExampleProjects.copy("hello-d1", dir.resolve("project"));
      Map<String, String> env = new HashMap<>();
      env.put("CI", "true");
      env.put("WRANGLER_SEND_METRICS", "false");
      env.put("CLOUDFLARE_API_TOKEN", token);
      env.put("CLOUDFLARE_ACCOUNT_ID", account);
      env.put("CLOUDFLARE_API_BASE_URL", recorder.baseUrl());
      env.put("WRANGLER_LOG_PATH", dir.resolve("logs").toString());
      Result[] results = new Result[2];
      for (int i = 0; i < 2; i++) {
        recorder.clearCalls();
        long start = System.nanoTime();
        wrangler(project, env, "d1", "migrations", "apply", "DB", "--remote");
        wrangler(project, env, "deploy");
        results[i] = new Result((System.nanoTime() - start) / 1e9, 2, recorder.calls().size());
      }
      if (recorder.ledgerOf(CloudflarePipeline.DB_ID, "d1_migrations").size() != 2
          || recorder.liveSplit(CloudflarePipeline.WORKER).size() != 1) {
        throw new IllegalStateException("the bare script did not deploy: " + recorder.callLines());
      }
      return results;
    }
  }

  private static void wrangler(Path project, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(ExampleProjects.pinnedWrangler().toString()));
    argv.addAll(Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(argv).directory(project.toFile())
        .redirectErrorStream(true)
        .redirectOutput(project.resolve(".wrangler-" + args[0] + ".out").toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().putAll(env);
    int exit = builder.start().waitFor();
    if (exit != 0) {
      throw new IllegalStateException("wrangler " + String.join(" ", args) + " exited " + exit + ": "
          + Files.readString(project.resolve(".wrangler-" + args[0] + ".out")));
    }
  }

  /** flaredeploy's first deploy, then the same again (nothing to do). */
  private static Result[] flaredeploy(Path dir) throws IOException {
    CountingRunner runner = new CountingRunner();
    Files.createDirectories(dir);
    Result[] results = new Result[2];
    CloudflarePipeline pipeline = new CloudflarePipeline(dir, header -> 200, runner);
    try {
      for (int i = 0; i < 2; i++) {
        pipeline.recorder.clearCalls();
        int before = runner.started.get();
        long start = System.nanoTime();
        DeploymentReport report = pipeline.deploy();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!"SUCCEEDED".equals(report.state())) {
          throw new IllegalStateException("flaredeploy did not deploy: " + report.summary());
        }
        results[i] = new Result(seconds, runner.started.get() - before, pipeline.recorder.calls().size());
      }
    } finally {
      pipeline.close();
    }
    return results;
  }

  private static double last(List<Double> values) {
    return values.isEmpty() ? Double.NaN : values.get(values.size() - 1);
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static String seconds(List<Double> values) {
    return values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList().toString();
  }
}
