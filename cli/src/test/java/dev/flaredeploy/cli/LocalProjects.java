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

  /**
   * A copy of examples/hello-d1 named {@code service} with one wrangler environment per tenant, each with its own
   * D1 database and port, and two routes the tests use: {@code /ready} (what the smoke test checks: 503 while the
   * tenant's notes hold one whose body is "maintenance") and {@code /slow?ms=N} (answers after N ms).
   */
  Tenants tenants(String service, List<String> tenants) throws IOException {
    Project base = copy(service);
    Path index = base.file("src/index.js");
    replace(index, "const url = new URL(request.url);\n", """
        const url = new URL(request.url);

            if (url.pathname === "/slow") {
              await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get("ms") ?? "4000")));
              return new Response("slow, and healthy\\n");
            }
            if (url.pathname === "/ready") {
              const row = await env.DB.prepare("SELECT count(*) AS n FROM notes WHERE body = 'maintenance'").first();
              return row.n > 0 ? Response.json({ status: "in maintenance" }, { status: 503 })
                : Response.json({ status: "healthy" });
            }
        """);
    StringBuilder wrangler = new StringBuilder("name = \"" + service + "\"\nmain = \"src/index.js\"\n"
        + "compatibility_date = \"2025-06-01\"\n");
    StringBuilder flaredeploy = new StringBuilder("""
        [smoke]
        timeout = "3s"

        [[smoke.check]]
        path = "/ready"
        expect_status = 200
        """);
    java.util.Map<String, Integer> ports = new java.util.LinkedHashMap<>();
    for (int i = 0; i < tenants.size(); i++) {
      String tenant = tenants.get(i);
      int port = CliRunner.freePort();
      ports.put(tenant, port);
      wrangler.append("\n[env.").append(tenant).append("]\n[[env.").append(tenant).append(".d1_databases]]\n")
          .append("binding = \"DB\"\ndatabase_name = \"").append(service).append('-').append(tenant).append("\"\n")
          .append("database_id = \"").append(java.util.UUID.nameUUIDFromBytes((service + "/" + tenant).getBytes()))
          .append("\"\n");
      flaredeploy.append("\n[env.").append(tenant).append(".local]\nport = ").append(port).append('\n');
    }
    Files.writeString(base.file("wrangler.toml"), wrangler.toString());
    Files.writeString(base.file("flaredeploy.toml"), flaredeploy.toString());
    return new Tenants(service, base.dir(), ports);
  }

  /** A project with one environment per tenant ({@link #tenants}). */
  record Tenants(String service, Path dir, java.util.Map<String, Integer> ports) {
    String id(String tenant) {
      return "deploy:local:" + service + ":" + tenant;
    }

    Project project(String tenant) {
      return new Project(service, dir, ports.get(tenant),
          java.util.UUID.nameUUIDFromBytes((service + "/" + tenant).getBytes()).toString());
    }
  }

  /** The environment's state folder (wrangler dev's --persist-to; its v3/d1 links to the shared databases). */
  Path stateDir(Project p) {
    return stateDir(p, "default");
  }

  Path stateDir(Project p, String environment) {
    return new LocalWorkspace(home).stateDir(p.service(), environment);
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
    return query(p, "default", sql);
  }

  /** As {@link #query(Project, String)}, on the database of one environment. */
  List<JsonNode> query(Project p, String environment, String sql) {
    LocalWorkspace workspace = new LocalWorkspace(home);
    Path view = workspace.workdir(p.service(), environment, "query-view", p.dir());
    ProcessResult result = wrangler().run(withEnvironment(List.of("d1", "execute", "DB", "-c",
            view.resolve("wrangler.toml").toString(), "--local", "--persist-to", stateDir(p, environment).toString(),
            "--json", "--command", sql), environment),
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

  /** As {@link #execute(Project, String)}, on the database of one environment. */
  void execute(Project p, String environment, String sql) {
    query(p, environment, sql);
  }

  /**
   * The project's local D1 database files as they are on disk: its SQLite file (in the shared place) and its
   * write-ahead log beside it if there is one, with the sha256 of their bytes.
   * SQLite's shared-memory index ({@code -shm}) is left out: it holds no data, and every reader of a WAL
   * database, a serving release's included, writes its read marks there.
   */
  java.util.Map<String, String> databaseFiles(Project p) throws IOException {
    java.util.Map<String, String> files = new java.util.TreeMap<>();
    // the project's own database only: the shared directory holds every project's, and their releases write
    Path database = databaseFile(p);
    for (String companion : List.of("", "-wal", "-journal")) {
      Path file = database.resolveSibling(database.getFileName() + companion);
      if (Files.isRegularFile(file)) {
        files.put(file.getFileName().toString(), dev.flaredeploy.activities.safety.Checksums.sha256(
            Files.readAllBytes(file)));
      }
    }
    return files;
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
    applyWithWrangler(p, "default");
  }

  /** As {@link #applyWithWrangler(Project)}, to the database of one environment. */
  void applyWithWrangler(Project p, String environment) {
    LocalWorkspace workspace = new LocalWorkspace(home);
    Path view = workspace.workdir(p.service(), environment, "query-view", p.dir());
    ProcessResult result = wrangler().run(withEnvironment(List.of("d1", "migrations", "apply", "DB", "-c",
            view.resolve("wrangler.toml").toString(), "--local", "--persist-to", stateDir(p, environment).toString()),
            environment),
        view, Duration.ofMinutes(2), ProcessRunner.Tick.NONE);
    if (!result.succeeded()) {
      throw new AssertionError("d1 migrations apply failed: " + result.stdout() + result.stderr());
    }
  }

  private static List<String> withEnvironment(List<String> args, String environment) {
    if (environment.equals("default")) {
      return args;
    }
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of("--env", environment));
    return all;
  }

  Wrangler wrangler() {
    return new Wrangler(Wrangler.locate(cli.environment()).orElseThrow(), new ProcessRunner(), home.resolve("logs"));
  }
}
