package dev.flaredeploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flaredeploy.activities.local.D1Files;
import dev.flaredeploy.activities.local.LocalWorkspace;
import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.Wrangler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies of examples/hello-d1 for end-to-end tests, each under its own service name, port and database_id
 * (on the local target one database_id is one database, shared by every copy that binds it), and a look at
 * their local D1 database through the pinned wrangler (as a person would check it).
 */
final class LocalProjects {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path home;
  private final CliRunner cli;

  LocalProjects(Path home, CliRunner cli) {
    this.home = home;
    this.cli = cli;
  }

  /** hello-d1's database_id in examples/hello-d1/wrangler.toml (top level), which each copy replaces. */
  static final String EXAMPLE_DATABASE_ID = "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c01";

  /** @param databaseId the top-level DB binding's database_id: the local database this copy binds */
  record Project(String service, Path dir, int port, String databaseId) {
    Path file(String relative) {
      return dir.resolve(relative);
    }

    String id() {
      return "deploy:local:" + service + ":default";
    }
  }

  /**
   * A copy of examples/hello-d1 named {@code service}, served on a free port, with a 5 s smoke timeout and a
   * database of its own ({@code database_id} {@code local-<service>}).
   */
  Project copy(String service) throws IOException {
    return copy(home.resolve("projects").resolve(service), service, "local-" + service);
  }

  /** As {@link #copy(String)}, in {@code dir}, binding the database {@code databaseId}. */
  Project copy(Path dir, String service, String databaseId) throws IOException {
    int port = CliRunner.freePort();
    LocalWorkspace.copyTree(CliRunner.ROOT.resolve("examples/hello-d1"), dir);
    LocalWorkspace.deleteTree(dir.resolve("node_modules"));
    LocalWorkspace.deleteTree(dir.resolve(".wrangler"));
    replace(dir.resolve("wrangler.toml"), "name = \"hello-d1\"", "name = \"" + service + "\"");
    replace(dir.resolve("flaredeploy.toml"), "port = 8787", "port = " + port);
    replace(dir.resolve("flaredeploy.toml"), "timeout = \"30s\"", "timeout = \"5s\"");
    replace(dir.resolve("wrangler.toml"), "database_id = \"" + EXAMPLE_DATABASE_ID + "\"",
        "database_id = \"" + databaseId + "\"");
    return new Project(service, dir, port, databaseId);
  }

  static void replace(Path file, String from, String to) throws IOException {
    String text = Files.readString(file);
    if (!text.contains(from)) {
      throw new IllegalStateException(file + " does not contain " + from);
    }
    Files.writeString(file, text.replace(from, to));
  }

  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The environment's state folder (wrangler dev's --persist-to; its v3/d1 links to the shared databases). */
  Path stateDir(Project p) {
    return new LocalWorkspace(home).stateDir(p.service(), "default");
  }

  /**
   * The project's local database file as its wrangler dev finds it: through its state's v3/d1, a link to the
   * shared databases once a deployment wrote (before: the environment's own file).
   */
  Path databaseFile(Project p) {
    return D1Files.database(stateDir(p), p.databaseId());
  }

  /** Rows of one SQL statement run on the project's local database with {@code wrangler d1 execute --json}. */
  List<JsonNode> query(Project p, String sql) {
    LocalWorkspace workspace = new LocalWorkspace(home);
    Path view = workspace.workdir(p.service(), "default", "query-view", p.dir());
    ProcessResult result = wrangler().run(List.of("d1", "execute", "DB", "-c", view.resolve("wrangler.toml").toString(),
            "--local", "--persist-to", stateDir(p).toString(), "--json", "--command", sql),
        view, Duration.ofMinutes(2), ProcessRunner.Tick.NONE);
    if (!result.succeeded()) {
      throw new AssertionError("d1 execute " + sql + " failed: " + result.stdout() + result.stderr());
    }
    try {
      List<JsonNode> rows = new ArrayList<>();
      JSON.readTree(result.stdout()).get(0).get("results").forEach(rows::add);
      return rows;
    } catch (IOException | RuntimeException e) {
      throw new AssertionError("unexpected output of d1 execute --json: " + result.stdout(), e);
    }
  }

  /** Runs SQL against the project's local database, as a person changing it by hand would. */
  void execute(Project p, String sql) {
    query(p, sql);
  }

  /** Names in the migrations ledger, in the order they were applied. */
  List<String> ledger(Project p) {
    return query(p, "SELECT name FROM d1_migrations ORDER BY id").stream().map(r -> r.get("name").asText()).toList();
  }

  /** A full SQL export of the project's local database (schema, data, ledger), as wrangler writes it. */
  String export(Project p) throws IOException {
    LocalWorkspace workspace = new LocalWorkspace(home);
    Path view = workspace.workdir(p.service(), "default", "query-view", p.dir()); // d1 export reads .wrangler/state
    Path out = Files.createTempFile(home, "export-", ".sql");
    ProcessResult result = wrangler().run(List.of("d1", "export", "DB", "-c", view.resolve("wrangler.toml").toString(),
        "--local", "--output", out.toString()), view, Duration.ofMinutes(2), ProcessRunner.Tick.NONE);
    if (!result.succeeded()) {
      throw new AssertionError("d1 export failed: " + result.stdout() + result.stderr());
    }
    return Files.readString(out);
  }

  /** Applies the project's migrations with {@code wrangler d1 migrations apply}, as a person would. */
  void applyWithWrangler(Project p) {
    LocalWorkspace workspace = new LocalWorkspace(home);
    Path view = workspace.workdir(p.service(), "default", "query-view", p.dir());
    ProcessResult result = wrangler().run(List.of("d1", "migrations", "apply", "DB", "-c",
            view.resolve("wrangler.toml").toString(), "--local", "--persist-to", stateDir(p).toString()),
        view, Duration.ofMinutes(2), ProcessRunner.Tick.NONE);
    if (!result.succeeded()) {
      throw new AssertionError("d1 migrations apply failed: " + result.stdout() + result.stderr());
    }
  }

  Wrangler wrangler() {
    return new Wrangler(Wrangler.locate(cli.environment()).orElseThrow(), new ProcessRunner(), home.resolve("logs"));
  }
}
