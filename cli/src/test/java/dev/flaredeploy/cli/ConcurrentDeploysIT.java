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
 * {@code flaredeploy deploy} processes started at once against a {@code dev-server} (with its worker): ten
 * for the same service and environment (the workflow id lets exactly one run), and two Workers of one
 * directory tree that share a D1 database (one migrator per database: their migrations go one after the
 * other, each once, and both serve the same data).
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

  @Test
  void twoWorkersSharingADatabaseDeployedAtOnceMigrateItInTurnEachMigrationOnceAndServeTheSameData()
      throws Exception {
    Path tree = home.resolve("projects").resolve("monorepo");
    Project api = projects.copy(tree.resolve("api"), "mono-api", "local-monorepo-notes");
    Project admin = projects.copy(tree.resolve("admin"), "mono-admin", "local-monorepo-notes");
    stopAfterwards(api.service());
    stopAfterwards(admin.service());
    // a shared migration slow enough (seconds) that the second deployment arrives while the first applies it
    String slow = "CREATE TABLE tally (n INTEGER NOT NULL);\nINSERT INTO tally SELECT count(*) FROM (WITH RECURSIVE"
        + " c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 30000000) SELECT x FROM c);\n";
    // both Workers ship the database's migrations (services sharing a database ship the same ones)
    for (Project p : List.of(api, admin)) {
      LocalProjects.write(p.file("migrations/0003_tally.sql"), slow);
      LocalProjects.write(p.file("migrations/0004_audit.sql"),
          "CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT NOT NULL);\n");
    }

    List<Launched> both = new ArrayList<>(launch(api, 1));
    both.addAll(launch(admin, 1));
    awaitExits(both, 2);

    assertThat(both).as(describe(both)).allSatisfy(d -> assertThat(d.exitCode()).as(d.toString()).isZero());
    JsonNode apiRun = both.get(0).json();
    JsonNode adminRun = both.get(1).json();
    List<String> all = List.of("0001_create_notes.sql", "0002_add_author.sql", "0003_tally.sql", "0004_audit.sql");
    assertThat(projects.ledger(api)).as("one ledger, each migration once").containsExactlyElementsOf(all);
    assertThat(projects.ledger(admin)).containsExactlyElementsOf(all);
    List<String> applied = new ArrayList<>(names(apiRun.get("databases").get(0).get("applied")));
    applied.addAll(names(adminRun.get("databases").get(0).get("applied")));
    assertThat(applied).as("applied by one deployment or the other, never both").hasSameElementsAs(all)
        .doesNotHaveDuplicates();
    // the migration phases never overlapped: the one that came second waited, naming the first
    JsonNode first = startOf(apiRun, "apply-migrations").isBefore(startOf(adminRun, "apply-migrations"))
        ? apiRun : adminRun;
    JsonNode second = first == apiRun ? adminRun : apiRun;
    assertThat(startOf(second, "apply-migrations")).isAfterOrEqualTo(endOf(first, "apply-migrations"));
    JsonNode waited = step(second, "lock-database");
    assertThat(waited).as("the second deployment's report: " + second).isNotNull();
    assertThat(waited.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(waited.get("detail").asText()).matches("waited [\\dms ]+ for " + first.get("service").asText()
        + "'s deployment \\(default\\) to finish migrating DB \\(hello-d1-db \\(local-monorepo-notes, local\\)\\);"
        + " .*released it");
    assertThat(step(first, "lock-database")).as("the first took the lock at once").isNull();
    // both serve, from one database
    assertThat(CliRunner.post(api.port(), "/notes", "{\"body\":\"written through api\"}").statusCode()).isEqualTo(201);
    assertThat(CliRunner.post(admin.port(), "/notes", "{\"body\":\"written through admin\"}").statusCode())
        .isEqualTo(201);
    for (Project p : List.of(api, admin)) {
      assertThat(CliRunner.get(p.port(), "/notes").body()).contains("written through api", "written through admin");
    }
    CliRunner.Result databases = cli.run("local", "databases", "--output", "json");
    assertThat(databases.exitCode()).as(databases.toString()).isZero();
    JsonNode shared = null;
    for (JsonNode db : databases.json().get("databases")) {
      if (db.get("localId").asText().equals("local-monorepo-notes")) {
        shared = db;
      }
    }
    assertThat(shared).as(databases.stdout()).isNotNull();
    assertThat(names(shared.get("boundBy"), "service")).containsExactly("mono-admin", "mono-api");
  }

  private static List<String> names(JsonNode array) {
    List<String> names = new ArrayList<>();
    array.forEach(n -> names.add(n.asText()));
    return names;
  }

  private static List<String> names(JsonNode array, String field) {
    List<String> names = new ArrayList<>();
    array.forEach(n -> names.add(n.get(field).asText()));
    return names;
  }

  /** The last step of the report named {@code name}, or null. */
  private static JsonNode step(JsonNode report, String name) {
    JsonNode found = null;
    for (JsonNode s : report.get("steps")) {
      if (s.get("name").asText().equals(name)) {
        found = s;
      }
    }
    return found;
  }

  private static Instant startOf(JsonNode report, String name) {
    return Instant.parse(step(report, name).get("startedAt").asText());
  }

  private static Instant endOf(JsonNode report, String name) {
    return Instant.parse(step(report, name).get("finishedAt").asText());
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
