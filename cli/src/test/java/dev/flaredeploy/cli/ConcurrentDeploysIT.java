package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flaredeploy.cli.LocalProjects.Project;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ten {@code flaredeploy deploy} processes for the same service and environment, started at once
 * against a {@code dev-server} (with its worker): the workflow id lets exactly one run.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ConcurrentDeploysIT extends DevServerFixture {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TEN = 10;

  @Test
  void tenDeploysAtOnceRunExactlyOneAndTheOthersAreRefusedNamingIt() throws Exception {
    Project p = gated("ten-at-once");

    List<Launched> deploys = launch(p, TEN);
    // the one that runs waits in its smoke test until the gate opens: the nine others end first
    List<Launched> refused = awaitExits(deploys, TEN - 1);
    openGate(p);
    List<Launched> all = awaitExits(deploys, TEN);

    List<Launched> ran = all.stream().filter(d -> d.exitCode() == ExitCode.SUCCEEDED).toList();
    assertThat(ran).as(describe(all)).hasSize(1);
    assertThat(ran.get(0).json().get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(refused).as(describe(all)).hasSize(TEN - 1)
        .allSatisfy(d -> {
          assertThat(d.exitCode()).as(d.toString()).isEqualTo(ExitCode.REFUSED);
          assertThat(d.stderr()).as(d.toString()).contains("already running", p.id());
        });
    assertThat(runs(p)).as("one run was started").hasSize(1);
  }

  @Test
  void tenDeploysAtOnceThatWaitAllRunOneAfterAnother() throws Exception {
    Project p = projects.copy("ten-in-turn");
    stopAfterwards(p.service());

    List<Launched> all = awaitExits(launch(p, TEN, "--if-running", "wait"), TEN);

    assertThat(all).as(describe(all)).allSatisfy(d -> assertThat(d.exitCode()).as(d.toString()).isZero());
    List<JsonNode> runs = new ArrayList<>(runs(p));
    assertThat(runs).hasSize(TEN);
    assertThat(runs).allSatisfy(r -> assertThat(r.get("state").asText()).isEqualTo("SUCCEEDED"));
    runs.sort(Comparator.comparing(r -> Instant.parse(r.get("startedAt").asText())));
    for (int i = 1; i < runs.size(); i++) {
      Instant previousEnd = Instant.parse(runs.get(i - 1).get("finishedAt").asText());
      Instant start = Instant.parse(runs.get(i).get("startedAt").asText());
      assertThat(start).as("run %d started after run %d finished", i + 1, i).isAfterOrEqualTo(previousEnd);
    }
    assertThat(CliRunner.get(p.port(), "/health").statusCode()).isEqualTo(200);
  }

  // ---------------------------------------------------------------------------------------------

  record Launched(int index, Process process, Path out, Path err) {
    int exitCode() {
      return process.exitValue();
    }

    String stdout() {
      return read(out);
    }

    String stderr() {
      return read(err);
    }

    JsonNode json() {
      try {
        return JSON.readTree(stdout());
      } catch (IOException e) {
        throw new AssertionError("stdout is not JSON: " + this, e);
      }
    }

    @Override
    public String toString() {
      return "deploy #" + index + ": exit " + (process.isAlive() ? "(running)" : exitCode()) + "\n--- stdout\n"
          + stdout() + "\n--- stderr\n" + stderr();
    }

    private static String read(Path file) {
      try {
        return Files.readString(file);
      } catch (IOException e) {
        return "(unreadable: " + e + ")";
      }
    }
  }

  /** Starts {@code n} deploy processes of the project at once. */
  List<Launched> launch(Project p, int n, String... extra) throws IOException {
    List<Launched> launched = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      List<String> args = new ArrayList<>(List.of("deploy", p.dir().toString(), "--address", address,
          "--output", "json"));
      args.addAll(List.of(extra));
      Path out = home.resolve(p.service() + "-" + i + ".out");
      Path err = home.resolve(p.service() + "-" + i + ".err");
      Process process = cli.command(args.toArray(String[]::new))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .start();
      launched.add(new Launched(i, process, out, err));
    }
    return launched;
  }

  /** Waits until {@code count} of the processes have exited; returns those that have, in exit order. */
  static List<Launched> awaitExits(List<Launched> launched, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    List<Launched> exited = new ArrayList<>();
    while (true) {
      for (Launched l : launched) {
        if (!l.process().isAlive() && !exited.contains(l)) {
          exited.add(l);
        }
      }
      if (exited.size() >= count) {
        return exited;
      }
      if (System.nanoTime() > deadline) {
        launched.forEach(l -> l.process().destroyForcibly());
        throw new AssertionError("only " + exited.size() + " of " + count + " deploys ended: " + describe(launched));
      }
      Thread.sleep(200);
    }
  }

  /** The project's runs, from {@code flaredeploy list --output json}. */
  List<JsonNode> runs(Project p) {
    CliRunner.Result list = cli.run("list", "--service", p.service(), "--limit", "100", "--address", address,
        "--output", "json");
    assertThat(list.exitCode()).as(list.toString()).isZero();
    List<JsonNode> runs = new ArrayList<>();
    list.json().forEach(runs::add);
    return runs;
  }

  /**
   * A copy of the example whose /health fails until {@code POST /open} was called (a row in table gate),
   * with a smoke timeout long enough for a test to hold its deployment in the smoke test.
   */
  Project gated(String service) throws IOException {
    Project p = projects.copy(service);
    stopAfterwards(service);
    LocalProjects.write(p.file("migrations/0003_gate.sql"), "CREATE TABLE gate (open INTEGER NOT NULL);\n");
    LocalProjects.replace(p.file("src/index.js"), "    if (url.pathname === \"/health\") {\n",
        "    if (url.pathname === \"/open\" && request.method === \"POST\") {\n"
            + "      await env.DB.prepare(\"INSERT INTO gate (open) VALUES (1)\").run();\n"
            + "      return new Response(\"open\\n\");\n"
            + "    }\n\n"
            + "    if (url.pathname === \"/health\") {\n"
            + "      const gate = await env.DB.prepare(\"SELECT count(*) AS n FROM gate\").first();\n"
            + "      if (!gate.n) {\n"
            + "        return new Response(\"gate closed\", { status: 503 });\n"
            + "      }\n");
    LocalProjects.replace(p.file("flaredeploy.toml"), "timeout = \"5s\"", "timeout = \"240s\"");
    return p;
  }

  /** Opens the gate once the release answers (it is live once deploy-worker is done). */
  static void openGate(Project p) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      if (CliRunner.listening(p.port())
          && CliRunner.post(p.port(), "/open", "{}").statusCode() == 200) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the release of " + p.service() + " never answered on port " + p.port());
  }

  static String describe(List<Launched> launched) {
    StringBuilder text = new StringBuilder();
    launched.forEach(l -> text.append("\n").append(l));
    return text.toString();
  }
}
