package dev.flaredeploy.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for Cloudflare's API v4 on 127.0.0.1, for driving the real wrangler through {@code
 * CLOUDFLARE_API_BASE_URL=<baseUrl()>}. It answers the endpoints wrangler 4.86 calls for D1 (database
 * info, {@code /query}, Time Travel) and Workers (services, scripts, versions, deployments, settings,
 * subdomains, secrets) in the API's envelope {@code {"success":…,"errors":[…],"messages":[],"result":…}},
 * keeps just enough state to answer consistently, and records every request.
 *
 * <p>State: per D1 database its migrations ledger and flaredeploy's checksum table (rows of these
 * tables only: other SQL succeeds without effect), the schema SQL it was given (the ledger table, each applied migration's statements,
 * {@link #schema}), which its export ({@code POST …/export}, polled, then a dump served on 127.0.0.1 at the
 * absolute {@code signed_url} it returns, as D1 does) plays back, and a Time Travel bookmark that moves with
 * every write; the account's D1 databases can be listed and created; per Worker its versions, deployments
 * (newest first), tags and secret names. Scripted faults: a {@code /query} whose SQL contains a given text
 * fails like D1 does; a database's export fails ({@link #failExport}).
 *
 * <p>Any other endpoint answers 404 with a Cloudflare-style error, and is recorded like every call, so a
 * test notices calls it did not expect ({@link #unexpectedCalls()}). Requests without {@code
 * Authorization: Bearer <token>} answer 401 (code 10000).
 */
public final class CloudflareApiRecorder implements AutoCloseable {
  /** One HTTP request as wrangler sent it; {@code query} is the decoded query string, "" when none. */
  public record Call(String method, String path, String query, String body, int status) {
    /** {@code "GET /accounts/…/deployments"}, with {@code ?query} when there is one. */
    public String line() {
      return method + " " + path + (query.isEmpty() ? "" : "?" + query);
    }

    /** The JSON body, or a missing node when it is not JSON (e.g. a multipart upload). */
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        return JSON.missingNode();
      }
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PREFIX = "/client/v4";
  private static final Pattern LEDGER_INSERT =
      Pattern.compile("INSERT INTO\\s+\"?(\\w+)\"?\\s*\\(name\\)\\s*values\\s*\\('([^']+)'\\)", Pattern.CASE_INSENSITIVE);
  private static final Pattern CREATE_LEDGER =
      Pattern.compile("CREATE TABLE IF NOT EXISTS\\s+\"?(\\w+)\"?", Pattern.CASE_INSENSITIVE);
  private static final Pattern SELECT =
      Pattern.compile("^\\s*SELECT\\s+(.+?)\\s+FROM\\s+\"?(\\w+)\"?", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  /** flaredeploy's checksum table (safety.Checksums): modelled with its rows, unlike other user tables. */
  private static final String CHECKSUMS = "flaredeploy_migration_checksums";
  private static final Pattern CHECKSUM_RECORD = Pattern.compile(
      "INSERT OR IGNORE INTO " + CHECKSUMS + "\\(name, sha256\\) VALUES\\('((?:[^']|'')*)', '([^']*)'\\);");
  private static final Pattern CHECKSUM_ACCEPT = Pattern.compile(
      "INSERT INTO " + CHECKSUMS + "\\(name, sha256, accepted_reason, accepted_by, accepted_at\\) VALUES\\("
          + "'((?:[^']|'')*)', '([^']*)', '((?:[^']|'')*)', '((?:[^']|'')*)', CURRENT_TIMESTAMP\\)");
  private static final Pattern WRITE =
      Pattern.compile("^\\s*(CREATE|ALTER|DROP|INSERT|UPDATE|DELETE|REPLACE)\\b", Pattern.CASE_INSENSITIVE);

  private final HttpServer server;
  private final String token;
  private final String accountId;
  private final String subdomain;
  private final List<Call> calls = new ArrayList<>();
  private final Map<String, Database> databases = new LinkedHashMap<>();
  private final Map<String, Script> scripts = new LinkedHashMap<>();
  private final List<Call> unknown = new ArrayList<>();
  private final List<Fault> faults = new ArrayList<>();
  private final Map<String, String> dumps = new LinkedHashMap<>(); // download path -> SQL
  private final Map<String, String> exportFaults = new LinkedHashMap<>(); // uuid -> error
  private boolean previewsEnabled = true;
  private boolean echoAuthorization;
  private long clock = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();

  private record Fault(String sqlContains, String message) {}

  private static final class Database {
    final String uuid;
    final String name;
    final Map<String, List<String>> ledgers = new LinkedHashMap<>(); // table -> names, in id order
    final List<String> schema = new ArrayList<>(); // DDL and other SQL that built it, in order
    final Map<String, Map<String, List<String>>> history = new LinkedHashMap<>(); // bookmark -> ledgers
    final Map<String, List<String>> schemaHistory = new LinkedHashMap<>(); // bookmark -> schema
    Map<String, ObjectNode> checksums; // name -> row of flaredeploy's checksum table; null: no table
    final Map<String, Map<String, ObjectNode>> checksumHistory = new LinkedHashMap<>(); // bookmark -> rows
    int writes;
    String bookmark;

    Database(String uuid, String name) {
      this.uuid = uuid;
      this.name = name;
      remember();
    }

    void write() {
      writes++;
      remember();
    }

    void remember() {
      bookmark = String.format("%08x-%08x-00004c6d-%032x", writes + 1, writes * 7, (long) uuid.hashCode() & 0xffffffffL);
      Map<String, List<String>> copy = new LinkedHashMap<>();
      ledgers.forEach((table, rows) -> copy.put(table, new ArrayList<>(rows)));
      history.put(bookmark, copy);
      checksumHistory.put(bookmark, checksums == null ? null : new LinkedHashMap<>(checksums));
      schemaHistory.put(bookmark, List.copyOf(schema));
    }

    void createLedger(String table) {
      schema.add("CREATE TABLE " + table + "(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,"
          + " applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);");
    }

    /** What D1's export of this database holds, near enough: its schema SQL, then the ledger rows. */
    String dump() {
      StringBuilder sql = new StringBuilder("PRAGMA defer_foreign_keys=TRUE;\n");
      schema.forEach(statement -> sql.append(statement.strip()).append('\n'));
      ledgers.forEach((table, rows) -> {
        for (int i = 0; i < rows.size(); i++) {
          sql.append("INSERT INTO \"").append(table).append("\" VALUES(").append(i + 1).append(",'")
              .append(rows.get(i).replace("'", "''")).append("','2026-01-01 00:00:00');\n");
        }
      });
      return sql.toString();
    }
  }

  private static final class Script {
    final String name;
    final String tag = UUID.randomUUID().toString().replace("-", "");
    final List<ObjectNode> versions = new ArrayList<>(); // oldest first
    final List<ObjectNode> deployments = new ArrayList<>(); // newest first
    final List<String> secrets = new ArrayList<>();
    List<String> tags = new ArrayList<>();

    Script(String name) {
      this.name = name;
    }
  }

  private CloudflareApiRecorder(String token, String accountId, String subdomain) throws IOException {
    this.token = token;
    this.accountId = accountId;
    this.subdomain = subdomain;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts a recorder on a free port of 127.0.0.1 that accepts {@code token} for {@code accountId}. */
  public static CloudflareApiRecorder start(String token, String accountId) {
    try {
      return new CloudflareApiRecorder(token, accountId, "flaredeploy-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What {@code CLOUDFLARE_API_BASE_URL} gets: {@code http://127.0.0.1:<port>/client/v4}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + PREFIX;
  }

  /** The account's workers.dev subdomain, e.g. {@code flaredeploy-test} (→ …flaredeploy-test.workers.dev). */
  public String subdomain() {
    return subdomain;
  }

  @Override
  public void close() {
    server.stop(0);
  }

  // ---- scripting ----

  /** Declares a D1 database (the one a config's {@code database_id} names); it starts empty. */
  public synchronized CloudflareApiRecorder database(String uuid, String name) {
    databases.put(uuid, new Database(uuid, name));
    return this;
  }

  /** Seeds the database's ledger table with {@code names} (creating the table), as a new bookmark. */
  public synchronized CloudflareApiRecorder ledger(String uuid, String table, List<String> names) {
    Database db = db(uuid);
    if (!db.ledgers.containsKey(table)) {
      db.createLedger(table);
    }
    db.ledgers.put(table, new ArrayList<>(names));
    db.write();
    return this;
  }

  /** Adds SQL to the database's schema (e.g. what seeded ledger rows stand for), as a new bookmark. */
  public synchronized CloudflareApiRecorder schema(String uuid, String sql) {
    Database db = db(uuid);
    db.schema.add(sql);
    db.write();
    return this;
  }

  /** Makes the export of the database fail with {@code error}, as D1 does for one with FTS5 tables. */
  public synchronized CloudflareApiRecorder failExport(String uuid, String error) {
    db(uuid);
    exportFaults.put(uuid, error);
    return this;
  }

  /** The D1 databases of the account, by uuid: name. */
  public synchronized Map<String, String> databases() {
    Map<String, String> all = new LinkedHashMap<>();
    databases.forEach((uuid, db) -> all.put(uuid, db.name));
    return all;
  }

  /** The ledger rows now, in id order; empty when the table does not exist. */
  public synchronized List<String> ledgerOf(String uuid, String table) {
    return List.copyOf(db(uuid).ledgers.getOrDefault(table, List.of()));
  }

  /** flaredeploy's checksum table now: name → sha256, in name order; empty when the table does not exist. */
  public synchronized Map<String, String> checksumsOf(String uuid) {
    Map<String, String> sums = new java.util.TreeMap<>();
    Map<String, ObjectNode> rows = db(uuid).checksums;
    if (rows != null) {
      rows.forEach((name, row) -> sums.put(name, row.path("sha256").asText()));
    }
    return sums;
  }

  /** The database's current Time Travel bookmark. */
  public synchronized String bookmarkOf(String uuid) {
    return db(uuid).bookmark;
  }

  /** Makes every {@code /query} whose SQL contains {@code sqlContains} fail like SQLite does. */
  public synchronized CloudflareApiRecorder failQuery(String sqlContains, String sqliteMessage) {
    faults.add(new Fault(sqlContains, sqliteMessage));
    return this;
  }

  /**
   * Makes {@code worker} exist with one version tagged {@code tag} (may be null) serving 100 % of its
   * traffic, as after a {@code wrangler deploy}. Returns the version id.
   */
  public synchronized String deployed(String worker, String tag) {
    Script script = scripts.computeIfAbsent(worker, Script::new);
    ObjectNode version = newVersion(script, tag, "deployed by the test", "upload");
    deploy(script, Map.of(version.get("id").asText(), 100.0), "deployed by the test", "deployment");
    return version.get("id").asText();
  }

  /** Uploads a version of an existing {@code worker} without deploying it. Returns the version id. */
  public synchronized String uploaded(String worker, String tag) {
    return newVersion(script(worker).orElseThrow(), tag, null, "upload").get("id").asText();
  }

  /** The version ids the latest deployment of {@code worker} serves, with their percentages. */
  public synchronized Map<String, Double> liveSplit(String worker) {
    Map<String, Double> split = new LinkedHashMap<>();
    script(worker)
        .filter(s -> !s.deployments.isEmpty())
        .ifPresent(s -> s.deployments.get(0).get("versions")
            .forEach(v -> split.put(v.get("version_id").asText(), v.get("percentage").asDouble())));
    return split;
  }

  /** The tag ({@code workers/tag}) of a version of {@code worker}, or null. */
  public synchronized String tagOf(String worker, String versionId) {
    return script(worker).orElseThrow().versions.stream()
        .filter(v -> v.get("id").asText().equals(versionId))
        .findFirst()
        .map(v -> v.path("annotations").path("workers/tag").asText(null))
        .orElse(null);
  }

  /** Sets the secret names of an existing {@code worker}. */
  public synchronized CloudflareApiRecorder secrets(String worker, String... names) {
    Script script = script(worker).orElseThrow();
    script.secrets.clear();
    script.secrets.addAll(List.of(names));
    return this;
  }

  /**
   * Makes every error answer quote the request's {@code Authorization} header, token included: a
   * misbehaving server, to prove the token is scrubbed from whatever wrangler prints and logs.
   */
  public synchronized CloudflareApiRecorder echoAuthorizationInErrors() {
    echoAuthorization = true;
    return this;
  }

  // ---- what was called ----

  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /** {@link Call#line()} of every call, in order. */
  public synchronized List<String> callLines() {
    return calls.stream().map(Call::line).toList();
  }

  /** Calls this recorder does not know (answered 404 with code 7003), in order. */
  public synchronized List<Call> unexpectedCalls() {
    return List.copyOf(unknown);
  }

  public synchronized void clearCalls() {
    calls.clear();
    unknown.clear();
  }

  // ---- HTTP ----

  private record Reply(int status, JsonNode body) {}

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      URI uri = exchange.getRequestURI();
      String path = uri.getRawPath();
      String query = uri.getRawQuery() == null ? "" : URLDecoder.decode(uri.getRawQuery(), StandardCharsets.UTF_8);
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      Reply reply;
      boolean known = true;
      synchronized (this) {
        if (method.equals("GET") && dumps.containsKey(path)) { // a signed URL: no Authorization header
          calls.add(new Call(method, path, query, body, 200));
          byte[] dump = dumps.get(path).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/sql");
          exchange.sendResponseHeaders(200, dump.length);
          exchange.getResponseBody().write(dump);
          return;
        }
        if (!("Bearer " + token).equals(auth)) {
          reply = error(401, 10000, "Authentication error");
        } else if (!path.startsWith(PREFIX)) {
          reply = null;
        } else {
          reply = route(method, path.substring(PREFIX.length()), queryParams(uri.getRawQuery()), body, contentType);
        }
        if (reply == null) {
          known = false;
          reply = error(404, 7003, "Could not route to " + path + ", perhaps your object identifier is invalid?");
        }
        if (echoAuthorization && reply.status() >= 400) {
          ObjectNode first = (ObjectNode) reply.body().path("errors").get(0);
          first.put("message", first.path("message").asText() + " (request had Authorization: " + auth + ")");
        }
        Call call = new Call(method, path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : path, query, body, reply.status());
        calls.add(call);
        if (!known) {
          unknown.add(call);
        }
      }
      byte[] bytes = JSON.writeValueAsBytes(reply.body());
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(reply.status(), bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  private Reply route(String method, String path, Map<String, String> query, String body, String contentType) {
    String[] p = path.substring(1).split("/");
    if (p.length == 1 && p[0].equals("memberships") && method.equals("GET")) {
      ArrayNode list = JSON.createArrayNode();
      list.addObject().putObject("account").put("id", accountId).put("name", "Test account");
      return ok(list);
    }
    if (p.length < 3 || !p[0].equals("accounts")) {
      return null;
    }
    if (!p[1].equals(accountId)) {
      return error(403, 10000, "Authentication error: no access to account " + p[1]);
    }
    String area = p[2];
    if (area.equals("d1") && p.length == 4 && p[3].equals("database")) {
      return d1Databases(method, query, body);
    }
    if (area.equals("d1") && p.length >= 5 && p[3].equals("database")) {
      return d1(method, p, query, body);
    }
    if (area.equals("workers")) {
      return workers(method, p, query, body, contentType);
    }
    return null;
  }

  // ---- D1 ----

  /** {@code GET …/d1/database?page=&per_page=} (d1 list) and {@code POST …/d1/database} (d1 create). */
  private Reply d1Databases(String method, Map<String, String> query, String body) {
    if (method.equals("GET")) {
      int perPage = Integer.parseInt(query.getOrDefault("per_page", "10"));
      int page = Integer.parseInt(query.getOrDefault("page", "1"));
      List<Database> all = new ArrayList<>(databases.values());
      ArrayNode list = JSON.createArrayNode();
      for (int i = (page - 1) * perPage; i < Math.min(all.size(), page * perPage); i++) {
        Database db = all.get(i);
        list.addObject().put("uuid", db.uuid).put("name", db.name).put("created_at", "2025-12-01T00:00:00.000Z")
            .put("version", "production").put("num_tables", db.ledgers.size()).put("file_size", 12288);
      }
      return ok(list);
    }
    if (method.equals("POST")) {
      String name = readJson(body).path("name").asText("");
      if (databases.values().stream().anyMatch(db -> db.name.equals(name))) {
        return error(400, 7502, "A database with that name already exists");
      }
      String uuid = UUID.randomUUID().toString();
      databases.put(uuid, new Database(uuid, name));
      return ok(JSON.createObjectNode().put("uuid", uuid).put("name", name).put("created_in_region", "WEUR")
          .put("version", "production"));
    }
    return null;
  }

  /**
   * {@code POST …/export} with {@code output_format: polling}: the first call starts the export ("active", at
   * the current bookmark), the next (with {@code current_bookmark}) completes it with a signed URL on this
   * server where the dump is served.
   */
  private Reply export(Database db, JsonNode request) {
    ObjectNode result = JSON.createObjectNode();
    result.put("success", true).put("type", "export").put("at_bookmark", db.bookmark);
    ArrayNode messages = result.putArray("messages");
    if (exportFaults.containsKey(db.uuid)) {
      result.put("status", "error").put("error", exportFaults.get(db.uuid));
      return ok(result);
    }
    if (request.path("current_bookmark").isMissingNode() || request.path("current_bookmark").isNull()) {
      result.put("status", "active");
      messages.add("Generating " + db.uuid + "-" + db.bookmark + ".sql");
      return ok(result);
    }
    String file = db.uuid + "-" + db.bookmark + ".sql";
    String path = "/dumps/" + UUID.randomUUID() + "/" + file;
    dumps.put(path, db.dump());
    result.put("status", "complete");
    messages.add("Uploaded part 1");
    result.putObject("result").put("filename", file)
        .put("signed_url", "http://127.0.0.1:" + server.getAddress().getPort() + path);
    return ok(result);
  }

  private Reply d1(String method, String[] p, Map<String, String> query, String body) {
    Database db = databases.get(p[4]);
    if (db == null) {
      return error(404, 7404, "The database " + p[4] + " could not be found");
    }
    String action = p.length > 5 ? String.join("/", List.of(p).subList(5, p.length)) : "";
    switch (method + " " + action) {
      case "GET " -> {
        ObjectNode info = JSON.createObjectNode();
        info.put("uuid", db.uuid).put("name", db.name).put("version", "production")
            .put("num_tables", db.ledgers.size()).put("file_size", 12288)
            .put("created_at", "2025-12-01T00:00:00.000Z");
        info.putObject("read_replication").put("mode", "disabled");
        return ok(info);
      }
      case "POST query" -> {
        return query(db, readJson(body).path("sql").asText(""));
      }
      case "POST export" -> {
        return export(db, readJson(body));
      }
      case "GET time_travel/bookmark" -> {
        if (query.containsKey("timestamp")) {
          return null; // not modelled
        }
        return ok(JSON.createObjectNode().put("bookmark", db.bookmark));
      }
      case "POST time_travel/restore" -> {
        String bookmark = query.get("bookmark");
        Map<String, List<String>> then = bookmark == null ? null : db.history.get(bookmark);
        if (then == null) {
          return error(400, 7500, "Invalid bookmark " + bookmark);
        }
        String previous = db.bookmark;
        db.ledgers.clear();
        then.forEach((table, rows) -> db.ledgers.put(table, new ArrayList<>(rows)));
        db.schema.clear();
        db.schema.addAll(db.schemaHistory.get(bookmark));
        Map<String, ObjectNode> sumsThen = db.checksumHistory.get(bookmark);
        db.checksums = sumsThen == null ? null : new LinkedHashMap<>(sumsThen);
        db.write();
        return ok(JSON.createObjectNode().put("bookmark", bookmark).put("previous_bookmark", previous)
            .put("message", "Database restored successfully"));
      }
      default -> {
        return null;
      }
    }
  }

  private Reply query(Database db, String sql) {
    for (Fault fault : faults) {
      if (sql.contains(fault.sqlContains())) {
        return d1Error(fault.message());
      }
    }
    if (sql.contains(CHECKSUMS)) {
      return checksums(db, sql);
    }
    Matcher insert = LEDGER_INSERT.matcher(sql);
    if (insert.find()) { // a migration: the file's statements and its ledger row, all or nothing
      String table = insert.group(1);
      List<String> rows = db.ledgers.get(table);
      if (rows == null) {
        return d1Error("no such table: " + table + ": SQLITE_ERROR");
      }
      if (rows.contains(insert.group(2))) {
        return d1Error("UNIQUE constraint failed: " + table + ".name: SQLITE_CONSTRAINT");
      }
      rows.add(insert.group(2));
      String statements = sql.substring(0, insert.start()).strip();
      if (!statements.isEmpty()) {
        db.schema.add(statements);
      }
      db.write();
      return ok(statements(sql, List.of(), true));
    }
    Matcher create = CREATE_LEDGER.matcher(sql);
    if (create.find() && sql.contains("applied_at")) {
      boolean created = db.ledgers.putIfAbsent(create.group(1), new ArrayList<>()) == null;
      if (created) {
        db.createLedger(create.group(1));
        db.write();
      }
      return ok(statements(sql, List.of(), created));
    }
    if (sql.contains("FROM sqlite_master")) {
      return schemaRows(db, sql);
    }
    Matcher select = SELECT.matcher(sql);
    if (select.find()) {
      String table = select.group(2);
      if (table.startsWith("sqlite_") || table.startsWith("_cf_")) {
        return ok(statements(sql, List.of(), false));
      }
      List<String> rows = db.ledgers.get(table);
      if (rows == null) {
        return d1Error("no such table: " + table + ": SQLITE_ERROR");
      }
      boolean all = select.group(1).trim().equals("*");
      List<ObjectNode> results = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        ObjectNode row = JSON.createObjectNode();
        if (all) {
          row.put("id", i + 1);
        }
        row.put("name", rows.get(i));
        if (all) {
          row.put("applied_at", "2026-01-01 00:00:0" + Math.min(i, 9));
        }
        results.add(row);
      }
      return ok(statements(sql, results, false));
    }
    boolean writes = WRITE.matcher(sql).find();
    if (writes) {
      db.write();
    }
    return ok(statements(sql, List.of(), writes));
  }

  /**
   * A read of {@code sqlite_master} (the checks' schema read): answered by a real SQLite that ran the
   * database's schema SQL (its rows are not modelled).
   */
  private Reply schemaRows(Database db, String sql) {
    try (java.sql.Connection sqlite = java.sql.DriverManager.getConnection("jdbc:sqlite::memory:");
        java.sql.Statement statement = sqlite.createStatement()) {
      for (String built : db.schema) {
        statement.executeUpdate(built);
      }
      List<ObjectNode> rows = new ArrayList<>();
      try (java.sql.ResultSet result = statement.executeQuery(sql)) {
        java.sql.ResultSetMetaData meta = result.getMetaData();
        while (result.next()) {
          ObjectNode row = JSON.createObjectNode();
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            row.put(meta.getColumnLabel(i), result.getString(i));
          }
          rows.add(row);
        }
      }
      return ok(statements(sql, rows, false));
    } catch (java.sql.SQLException e) {
      return d1Error(e.getMessage() + ": SQLITE_ERROR");
    }
  }

  /** flaredeploy's checksum table: its SELECT, or a batch of CREATE TABLE IF NOT EXISTS and INSERTs. */
  private Reply checksums(Database db, String sql) {
    if (sql.stripLeading().toUpperCase(Locale.ROOT).startsWith("SELECT")) {
      if (db.checksums == null) {
        return d1Error("no such table: " + CHECKSUMS + ": SQLITE_ERROR");
      }
      List<ObjectNode> rows = new ArrayList<>();
      new java.util.TreeMap<>(db.checksums).values().forEach(row -> rows.add(row.deepCopy()));
      return ok(statements(sql, rows, false));
    }
    if (db.checksums == null) {
      db.checksums = new LinkedHashMap<>();
    }
    Matcher record = CHECKSUM_RECORD.matcher(sql);
    while (record.find()) {
      String name = record.group(1).replace("''", "'");
      db.checksums.computeIfAbsent(name, n -> checksumRow(n, record.group(2), null, null));
    }
    Matcher accept = CHECKSUM_ACCEPT.matcher(sql);
    while (accept.find()) {
      String name = accept.group(1).replace("''", "'");
      ObjectNode row = checksumRow(name, accept.group(2), accept.group(3).replace("''", "'"),
          accept.group(4).replace("''", "'"));
      ObjectNode before = db.checksums.get(name);
      if (before != null) {
        row.put("applied_at", before.path("applied_at").asText());
      }
      db.checksums.put(name, row);
    }
    db.write();
    return ok(statements(sql, List.of(), true));
  }

  private ObjectNode checksumRow(String name, String sha256, String reason, String by) {
    ObjectNode row = JSON.createObjectNode();
    String at = now().substring(0, 19).replace('T', ' ');
    row.put("name", name).put("sha256", sha256).put("applied_at", at);
    if (reason == null) {
      row.putNull("accepted_reason").putNull("accepted_by").putNull("accepted_at");
    } else {
      row.put("accepted_reason", reason).put("accepted_by", by).put("accepted_at", at);
    }
    return row;
  }

  /** One result per statement, as D1's /query answers; rows go to the first. */
  private static ArrayNode statements(String sql, List<ObjectNode> rows, boolean changed) {
    ArrayNode out = JSON.createArrayNode();
    int count = 0;
    for (String statement : sql.split(";")) {
      if (!statement.isBlank()) {
        count++;
      }
    }
    for (int i = 0; i < Math.max(1, count); i++) {
      ObjectNode result = out.addObject();
      ArrayNode results = result.putArray("results");
      if (i == 0) {
        rows.forEach(results::add);
      }
      result.put("success", true);
      ObjectNode meta = result.putObject("meta");
      meta.put("served_by", "v3-prod").put("served_by_region", "WEUR").put("served_by_primary", true)
          .put("duration", 0.25).put("changes", changed ? 1 : 0).put("last_row_id", 0)
          .put("changed_db", changed).put("size_after", 12288)
          .put("rows_read", i == 0 ? rows.size() : 0).put("rows_written", changed ? 1 : 0);
      meta.putObject("timings").put("sql_duration_ms", 0.25);
    }
    return out;
  }

  private static Reply d1Error(String message) {
    return error(400, 7500, message);
  }

  // ---- Workers ----

  private Reply workers(String method, String[] p, Map<String, String> query, String body, String contentType) {
    // /accounts/:a/workers/subdomain
    if (p.length == 4 && p[3].equals("subdomain") && method.equals("GET")) {
      return ok(JSON.createObjectNode().put("subdomain", subdomain));
    }
    if (p.length >= 5 && p[3].equals("services") && method.equals("GET") && p.length == 5) {
      return script(p[4]).map(this::service).orElseGet(() -> error(404, 10090, "workers.api.error.service_not_found"));
    }
    if (p.length < 5 || !p[3].equals("scripts")) {
      return null;
    }
    String name = p[4];
    String rest = p.length > 5 ? String.join("/", List.of(p).subList(5, p.length)) : "";
    if (rest.isEmpty() && method.equals("PUT")) { // wrangler deploy of a Worker that does not exist yet
      Script script = scripts.computeIfAbsent(name, Script::new);
      JsonNode metadata = multipartMetadata(body, contentType);
      ObjectNode version = newVersion(script, metadata.path("annotations").path("workers/tag").asText(null),
          metadata.path("annotations").path("workers/message").asText(null), "upload");
      deploy(script, Map.of(version.get("id").asText(), 100.0),
          metadata.path("annotations").path("workers/message").asText(null), "upload");
      ObjectNode result = JSON.createObjectNode();
      result.put("id", name).put("etag", "etag-" + version.get("id").asText()).put("startup_time_ms", 3)
          .put("deployment_id", version.get("id").asText()).put("has_modules", true);
      return ok(result);
    }
    Optional<Script> found = script(name);
    if (found.isEmpty()) {
      return error(404, 10007, "This Worker does not exist on your account.");
    }
    Script script = found.get();
    String[] r = rest.split("/");
    switch (method + " " + r[0]) {
      case "GET deployments" -> {
        ObjectNode result = JSON.createObjectNode();
        ArrayNode list = result.putArray("deployments");
        script.deployments.forEach(list::add);
        return ok(result);
      }
      case "POST deployments" -> {
        JsonNode request = readJson(body);
        Map<String, Double> split = new LinkedHashMap<>();
        for (JsonNode v : request.path("versions")) {
          String id = v.path("version_id").asText();
          if (version(script, id).isEmpty()) {
            return error(400, 10155, "version " + id + " not found");
          }
          split.put(id, v.path("percentage").asDouble());
        }
        double total = split.values().stream().mapToDouble(Double::doubleValue).sum();
        if (split.isEmpty() || Math.abs(total - 100) > 0.001) {
          return error(400, 10151, "percentages must add up to 100");
        }
        return ok(deploy(script, split, request.path("annotations").path("workers/message").asText(null), "wrangler"));
      }
      case "GET versions" -> {
        if (r.length == 2) {
          return version(script, r[1]).<Reply>map(CloudflareApiRecorder::ok)
              .orElseGet(() -> error(404, 10007, "version " + r[1] + " not found"));
        }
        ObjectNode result = JSON.createObjectNode();
        ArrayNode items = result.putArray("items");
        for (int i = script.versions.size() - 1; i >= 0; i--) { // newest first
          items.add(script.versions.get(i));
        }
        return ok(result);
      }
      case "POST versions" -> {
        JsonNode metadata = multipartMetadata(body, contentType);
        ObjectNode version = newVersion(script, metadata.path("annotations").path("workers/tag").asText(null),
            metadata.path("annotations").path("workers/message").asText(null), "upload");
        ObjectNode result = version.deepCopy();
        result.put("startup_time_ms", 3);
        return ok(result);
      }
      case "GET script-settings", "GET settings" -> {
        return ok(settings(script));
      }
      case "PATCH script-settings", "PATCH settings" -> {
        JsonNode patch = readJson(body);
        if (patch.has("tags")) {
          script.tags = new ArrayList<>();
          patch.path("tags").forEach(t -> script.tags.add(t.asText()));
        }
        return ok(settings(script));
      }
      case "GET subdomain" -> {
        return ok(JSON.createObjectNode().put("enabled", true).put("previews_enabled", previewsEnabled));
      }
      case "POST subdomain" -> {
        JsonNode request = readJson(body);
        return ok(JSON.createObjectNode().put("enabled", request.path("enabled").asBoolean(true))
            .put("previews_enabled", request.path("previews_enabled").asBoolean(previewsEnabled)));
      }
      case "GET secrets" -> {
        ArrayNode list = JSON.createArrayNode();
        script.secrets.forEach(s -> list.addObject().put("name", s).put("type", "secret_text"));
        return ok(list);
      }
      case "GET schedules" -> {
        return ok(JSON.createObjectNode().putArray("schedules"));
      }
      default -> {
        return null;
      }
    }
  }

  private Reply service(Script script) {
    ObjectNode result = JSON.createObjectNode();
    result.put("id", script.name).put("created_on", "2025-12-01T00:00:00.000000Z");
    ObjectNode env = result.putObject("default_environment");
    env.put("environment", "production").put("created_on", "2025-12-01T00:00:00.000000Z");
    ObjectNode s = env.putObject("script");
    s.put("id", script.name).put("tag", script.tag).put("last_deployed_from", "wrangler")
        .put("created_on", "2025-12-01T00:00:00.000000Z");
    ArrayNode tags = s.putArray("tags");
    script.tags.forEach(tags::add);
    return ok(result);
  }

  private static ObjectNode settings(Script script) {
    ObjectNode settings = JSON.createObjectNode();
    settings.put("logpush", false);
    settings.putArray("tail_consumers");
    settings.putObject("observability").put("enabled", false);
    ArrayNode tags = settings.putArray("tags");
    script.tags.forEach(tags::add);
    return settings;
  }

  private ObjectNode newVersion(Script script, String tag, String message, String triggeredBy) {
    ObjectNode version = JSON.createObjectNode();
    version.put("id", UUID.randomUUID().toString());
    version.put("number", script.versions.size() + 1);
    ObjectNode metadata = version.putObject("metadata");
    metadata.put("created_on", now()).put("modified_on", now()).put("source", "wrangler")
        .put("author_id", "author-1").put("author_email", "ci@example.com").put("has_preview", previewsEnabled);
    ObjectNode annotations = version.putObject("annotations");
    if (tag != null) {
      annotations.put("workers/tag", tag);
    }
    if (message != null) {
      annotations.put("workers/message", message);
    }
    annotations.put("workers/triggered_by", triggeredBy);
    ObjectNode resources = version.putObject("resources");
    resources.putObject("script").put("etag", "etag-" + version.get("id").asText()).putArray("handlers").add("fetch");
    resources.putObject("script_runtime").put("compatibility_date", "2025-06-01").put("usage_model", "standard")
        .putArray("compatibility_flags");
    resources.putArray("bindings");
    script.versions.add(version);
    return version;
  }

  private ObjectNode deploy(Script script, Map<String, Double> split, String message, String triggeredBy) {
    ObjectNode deployment = JSON.createObjectNode();
    deployment.put("id", UUID.randomUUID().toString()).put("source", "wrangler").put("strategy", "percentage")
        .put("author_email", "ci@example.com").put("created_on", now());
    ObjectNode annotations = deployment.putObject("annotations");
    annotations.put("workers/triggered_by", triggeredBy);
    if (message != null) {
      annotations.put("workers/message", message);
    }
    ArrayNode versions = deployment.putArray("versions");
    split.forEach((id, pct) -> {
      ObjectNode v = versions.addObject().put("version_id", id);
      if (pct == Math.rint(pct)) {
        v.put("percentage", pct.intValue());
      } else {
        v.put("percentage", pct);
      }
    });
    script.deployments.add(0, deployment);
    return deployment;
  }

  private Optional<ObjectNode> version(Script script, String id) {
    return script.versions.stream().filter(v -> v.get("id").asText().equals(id)).findFirst();
  }

  private Optional<Script> script(String name) {
    return Optional.ofNullable(scripts.get(name));
  }

  private Database db(String uuid) {
    Database db = databases.get(uuid);
    if (db == null) {
      throw new IllegalArgumentException("no database " + uuid + " declared");
    }
    return db;
  }

  private String now() {
    clock += 60; // every new object is a minute younger than the one before: wrangler sorts by created_on
    return Instant.ofEpochSecond(clock).toString().replace("Z", ".000000Z");
  }

  /** The JSON part named {@code metadata} of a Workers script upload. */
  private static JsonNode multipartMetadata(String body, String contentType) {
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).contains("boundary=")) {
      return JSON.missingNode();
    }
    String boundary = contentType.substring(contentType.toLowerCase(Locale.ROOT).indexOf("boundary=") + 9)
        .replace("\"", "").split(";")[0].trim();
    for (String part : body.split("--" + Pattern.quote(boundary))) {
      int headerEnd = part.indexOf("\r\n\r\n");
      if (headerEnd > 0 && part.substring(0, headerEnd).contains("name=\"metadata\"")) {
        return readJson(part.substring(headerEnd + 4).trim());
      }
    }
    return JSON.missingNode();
  }

  private static JsonNode readJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return JSON.missingNode();
    }
  }

  private static Map<String, String> queryParams(String rawQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return params;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.put(key, value);
    }
    return params;
  }

  private static Reply ok(JsonNode result) {
    ObjectNode envelope = JSON.createObjectNode();
    envelope.put("success", true);
    envelope.putArray("errors");
    envelope.putArray("messages");
    envelope.set("result", result);
    return new Reply(200, envelope);
  }

  private static Reply error(int status, int code, String message) {
    ObjectNode envelope = JSON.createObjectNode();
    envelope.put("success", false);
    envelope.putArray("errors").addObject().put("code", code).put("message", message);
    envelope.putArray("messages");
    envelope.putNull("result");
    return new Reply(status, envelope);
  }
}
