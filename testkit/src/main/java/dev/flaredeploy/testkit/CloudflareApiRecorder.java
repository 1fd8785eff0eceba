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
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A stand-in for Cloudflare's API v4 on 127.0.0.1, for driving the real wrangler through {@code
 * CLOUDFLARE_API_BASE_URL=<baseUrl()>} and flaredeploy's own API client with the same base URL. It answers
 * the endpoints wrangler 4.86 and flaredeploy call for D1 (database list, info and create, {@code /query},
 * export, Time Travel) and Workers (services, scripts, versions, deployments, settings, subdomains,
 * secrets, the account's Workers), token verification and memberships, in the API's envelope {@code
 * {"success":…,"errors":[…],"messages":[],"result":…}}, and records every request.
 *
 * <p>Each D1 database is a real in-memory SQLite ({@link RecordedD1Database}): {@code /query} runs the SQL
 * it is sent, a multi-statement query as one atomic batch with one result per statement, and answers D1's
 * error shape when a statement fails; so migrations ledgers, flaredeploy's checksum table, schemas, probes
 * and applies are real. Every write moves the database's Time Travel bookmark, and a restore puts back the
 * database as it was at a bookmark. The export ({@code POST …/export}, polled, then a dump served on
 * 127.0.0.1 at the absolute {@code signed_url} it returns, as D1 does) dumps the real database. Per Worker:
 * its versions, deployments (newest first), tags and secret names.
 *
 * <p>Scripted faults: a {@code /query} whose SQL contains a given text fails like SQLite does ({@link
 * #failQuery}); a database's export fails ({@link #failExport}); the next calls matching a text answer a
 * status instead ({@link #failNext}: a 429 with {@code Retry-After}, a 403, a 5xx), or take effect and then
 * answer a 5xx ({@link #loseNextAnswer}).
 *
 * <p>Any other endpoint answers 404 with a Cloudflare-style error, and is recorded like every call, so a
 * test notices calls it did not expect ({@link #unexpectedCalls()}). Requests without {@code
 * Authorization: Bearer <token>} answer 401 (code 10000).
 */
public final class CloudflareApiRecorder implements AutoCloseable {
  /**
   * One HTTP request as it was sent; {@code query} is the decoded query string, "" when none; {@code at}
   * is when it arrived.
   */
  public record Call(String method, String path, String query, String body, int status, Instant at) {
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
  /** wrangler's ledger table, as {@code d1 migrations apply} creates it. */
  private static final String LEDGER_DDL = "CREATE TABLE IF NOT EXISTS %s(\n\t\tid         INTEGER PRIMARY KEY"
      + " AUTOINCREMENT,\n\t\tname       TEXT UNIQUE,\n\t\tapplied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL\n);";
  /** flaredeploy's checksum table (safety.Checksums). */
  private static final String CHECKSUMS = "flaredeploy_migration_checksums";

  private final HttpServer server;
  private final String token;
  private final String accountId;
  private final String subdomain;
  private final List<Call> calls = new ArrayList<>();
  private final Map<String, RecordedD1Database> databases = new LinkedHashMap<>();
  private final Map<String, Script> scripts = new LinkedHashMap<>();
  private final List<Call> unknown = new ArrayList<>();
  private final List<QueryFault> queryFaults = new ArrayList<>();
  private final List<HttpFault> httpFaults = new ArrayList<>();
  private final Map<String, String> dumps = new LinkedHashMap<>(); // download path -> SQL
  private final Map<String, String> exportFaults = new LinkedHashMap<>(); // uuid -> error
  private boolean previewsEnabled = true;
  private boolean echoAuthorization;
  private long clock = Instant.parse("2026-01-01T00:00:00Z").getEpochSecond();

  private record QueryFault(String sqlContains, String message) {}

  /**
   * The next {@code remaining} calls whose {@link Call#line()} or body contains {@code call} answer {@code status};
   * with {@code afterEffect} the call is handled first and only its answer is replaced.
   */
  private static final class HttpFault {
    final String call;
    final int status;
    final int retryAfterSeconds;
    final boolean afterEffect;
    int remaining;

    HttpFault(String call, int status, int retryAfterSeconds, boolean afterEffect, int remaining) {
      this.call = call;
      this.status = status;
      this.retryAfterSeconds = retryAfterSeconds;
      this.afterEffect = afterEffect;
      this.remaining = remaining;
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
    synchronized (this) {
      databases.values().forEach(RecordedD1Database::close);
    }
  }

  // ---- scripting ----

  /** Declares a D1 database (the one a config's {@code database_id} names); it starts empty. */
  public synchronized CloudflareApiRecorder database(String uuid, String name) {
    databases.put(uuid, new RecordedD1Database(uuid, name));
    return this;
  }

  /**
   * Seeds the database's ledger table with {@code names} (creating the table as wrangler does), as if
   * wrangler had applied them; a new bookmark. Only the ledger rows: add what they stand for with {@link
   * #schema}.
   */
  public synchronized CloudflareApiRecorder ledger(String uuid, String table, List<String> names) {
    StringBuilder sql = new StringBuilder(LEDGER_DDL.formatted(table));
    names.forEach(n -> sql.append("\nINSERT INTO ").append(table).append(" (name) values ('")
        .append(n.replace("'", "''")).append("');"));
    db(uuid).execute(sql.toString());
    return this;
  }

  /** Runs SQL on the database (e.g. what seeded ledger rows stand for); a new bookmark when it writes. */
  public synchronized CloudflareApiRecorder schema(String uuid, String sql) {
    db(uuid).execute(sql);
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
    return db(uuid).rows("SELECT name FROM \"" + table.replace("\"", "\"\"") + "\" ORDER BY id").stream()
        .map(row -> (String) row.get("name")).toList();
  }

  /** flaredeploy's checksum table now: name → sha256, in name order; empty when the table does not exist. */
  public synchronized Map<String, String> checksumsOf(String uuid) {
    Map<String, String> sums = new TreeMap<>();
    db(uuid).rows("SELECT name, sha256 FROM " + CHECKSUMS).forEach(row ->
        sums.put((String) row.get("name"), (String) row.get("sha256")));
    return sums;
  }

  /** The rows of a read-only query on the database now (column → value); empty when a table is missing. */
  public synchronized List<Map<String, Object>> rows(String uuid, String sql) {
    return db(uuid).rows(sql);
  }

  /** The database's current Time Travel bookmark. */
  public synchronized String bookmarkOf(String uuid) {
    return db(uuid).bookmark();
  }

  /** Makes every {@code /query} whose SQL contains {@code sqlContains} fail like SQLite does; nothing runs. */
  public synchronized CloudflareApiRecorder failQuery(String sqlContains, String sqliteMessage) {
    queryFaults.add(new QueryFault(sqlContains, sqliteMessage));
    return this;
  }

  /**
   * Makes the next {@code times} calls whose {@link Call#line()} or body contains {@code call} answer {@code status}
   * without taking effect, with Cloudflare's error for it: 429 (code 971, with {@code Retry-After:
   * <retryAfterSeconds>}), 401/403 (code 10000, authentication error), 404 (code 7404 for D1, else 10007),
   * or a 5xx (an HTML error page, as Cloudflare's edge answers).
   */
  public synchronized CloudflareApiRecorder failNext(String call, int status, int times, int retryAfterSeconds) {
    httpFaults.add(new HttpFault(call, status, retryAfterSeconds, false, times));
    return this;
  }

  /** {@link #failNext} once, without {@code Retry-After}. */
  public synchronized CloudflareApiRecorder failNext(String call, int status) {
    return failNext(call, status, 1, -1);
  }

  /**
   * Makes the next call whose {@link Call#line()} or body contains {@code call} take effect (a {@code /query} runs
   * and commits) and then answer the 5xx {@code status} instead of its result: the answer lost on the way.
   */
  public synchronized CloudflareApiRecorder loseNextAnswer(String call, int status) {
    httpFaults.add(new HttpFault(call, status, -1, true, 1));
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

  private record Reply(int status, JsonNode body, int retryAfterSeconds, String html) {
    Reply(int status, JsonNode body) {
      this(status, body, -1, null);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Instant at = Instant.now();
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
          calls.add(new Call(method, path, query, body, 200, at));
          byte[] dump = dumps.get(path).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/sql");
          exchange.sendResponseHeaders(200, dump.length);
          exchange.getResponseBody().write(dump);
          return;
        }
        String relative = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : path;
        String line = method + " " + relative + (query.isEmpty() ? "" : "?" + query);
        HttpFault fault = httpFaults.stream()
            .filter(f -> f.remaining > 0 && (line + "\n" + body).contains(f.call)).findFirst().orElse(null);
        if (fault != null) {
          fault.remaining--;
        }
        if (!("Bearer " + token).equals(auth)) {
          reply = error(401, 10000, "Authentication error");
        } else if (fault != null && !fault.afterEffect) {
          reply = faultReply(fault, relative);
        } else if (!path.startsWith(PREFIX)) {
          reply = null;
        } else {
          reply = route(method, relative, queryParams(uri.getRawQuery()), body, contentType);
          if (fault != null && reply != null) {
            reply = faultReply(fault, relative);
          }
        }
        if (reply == null) {
          known = false;
          reply = error(404, 7003, "Could not route to " + path + ", perhaps your object identifier is invalid?");
        }
        if (echoAuthorization && reply.status() >= 400 && reply.body() != null) {
          ObjectNode first = (ObjectNode) reply.body().path("errors").get(0);
          first.put("message", first.path("message").asText() + " (request had Authorization: " + auth + ")");
        }
        Call call = new Call(method, relative, query, body, reply.status(), at);
        calls.add(call);
        if (!known) {
          unknown.add(call);
        }
      }
      if (reply.retryAfterSeconds() >= 0) {
        exchange.getResponseHeaders().set("Retry-After", String.valueOf(reply.retryAfterSeconds()));
      }
      byte[] bytes;
      if (reply.html() != null) {
        bytes = reply.html().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html");
      } else {
        bytes = JSON.writeValueAsBytes(reply.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
      }
      exchange.sendResponseHeaders(reply.status(), bytes.length);
      exchange.getResponseBody().write(bytes);
    }
  }

  private static Reply faultReply(HttpFault fault, String path) {
    int status = fault.status;
    if (status == 429) {
      Reply limited = error(429, 971, "Please wait and consider throttling your request speed");
      return new Reply(429, limited.body(), fault.retryAfterSeconds, null);
    }
    if (status == 401 || status == 403) {
      return error(status, 10000, "Authentication error");
    }
    if (status == 404) {
      return path.contains("/d1/") ? error(404, 7404, "The database could not be found")
          : error(404, 10007, "This Worker does not exist on your account.");
    }
    if (status >= 500) {
      String html = "<html><head><title>" + status + " Bad Gateway</title></head><body><center><h1>" + status
          + "</h1></center><hr><center>cloudflare</center></body></html>";
      return new Reply(status, null, fault.retryAfterSeconds, html);
    }
    return error(status, 10000, "scripted failure " + status);
  }

  private Reply route(String method, String path, Map<String, String> query, String body, String contentType) {
    String[] p = path.substring(1).split("/");
    if (path.equals("/user/tokens/verify") && method.equals("GET")) { // a token this recorder accepts
      return ok(JSON.createObjectNode().put("id", String.format("%032x", (long) token.hashCode() & 0xffffffffL))
          .put("status", "active"));
    }
    if (p.length == 1 && p[0].equals("memberships") && method.equals("GET")) {
      ArrayNode list = JSON.createArrayNode();
      list.addObject().put("id", "membership-1").put("status", "accepted")
          .putObject("account").put("id", accountId).put("name", "Test account");
      return ok(list);
    }
    if (p.length < 3 || !p[0].equals("accounts")) {
      return null;
    }
    if (!p[1].equals(accountId)) {
      return error(403, 10000, "Authentication error: no access to account " + p[1]);
    }
    String area = p[2];
    if (area.equals("tokens") && p.length == 4 && p[3].equals("verify") && method.equals("GET")) {
      return ok(JSON.createObjectNode().put("id", "token-1").put("status", "active"));
    }
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

  /**
   * {@code GET …/d1/database?name=&page=&per_page=} (d1 list, or a search by name) and {@code POST
   * …/d1/database} (d1 create).
   */
  private Reply d1Databases(String method, Map<String, String> query, String body) {
    if (method.equals("GET")) {
      int perPage = Integer.parseInt(query.getOrDefault("per_page", "10"));
      int page = Integer.parseInt(query.getOrDefault("page", "1"));
      String name = query.get("name");
      List<RecordedD1Database> all = databases.values().stream()
          .filter(db -> name == null || db.name.contains(name)).toList();
      ArrayNode list = JSON.createArrayNode();
      for (int i = (page - 1) * perPage; i < Math.min(all.size(), page * perPage); i++) {
        list.add(info(all.get(i)));
      }
      return ok(list);
    }
    if (method.equals("POST")) {
      String name = readJson(body).path("name").asText("");
      if (databases.values().stream().anyMatch(db -> db.name.equals(name))) {
        return error(400, 7502, "A database with that name already exists");
      }
      String uuid = UUID.randomUUID().toString();
      databases.put(uuid, new RecordedD1Database(uuid, name));
      return ok(JSON.createObjectNode().put("uuid", uuid).put("name", name).put("created_in_region", "WEUR")
          .put("version", "production"));
    }
    return null;
  }

  private static ObjectNode info(RecordedD1Database db) {
    ObjectNode info = JSON.createObjectNode();
    info.put("uuid", db.uuid).put("name", db.name).put("version", "production")
        .put("num_tables", db.tableCount()).put("file_size", db.size())
        .put("created_at", "2025-12-01T00:00:00.000Z");
    return info;
  }

  /**
   * {@code POST …/export} with {@code output_format: polling}: the first call starts the export ("active", at
   * the current bookmark), the next (with {@code current_bookmark}) completes it with a signed URL on this
   * server where the dump is served.
   */
  private Reply export(RecordedD1Database db, JsonNode request) {
    ObjectNode result = JSON.createObjectNode();
    result.put("success", true).put("type", "export").put("at_bookmark", db.bookmark());
    ArrayNode messages = result.putArray("messages");
    if (exportFaults.containsKey(db.uuid)) {
      result.put("status", "error").put("error", exportFaults.get(db.uuid));
      return ok(result);
    }
    if (request.path("current_bookmark").isMissingNode() || request.path("current_bookmark").isNull()) {
      result.put("status", "active");
      messages.add("Generating " + db.uuid + "-" + db.bookmark() + ".sql");
      return ok(result);
    }
    String file = db.uuid + "-" + db.bookmark() + ".sql";
    String path = "/dumps/" + UUID.randomUUID() + "/" + file;
    dumps.put(path, db.dump());
    result.put("status", "complete");
    messages.add("Uploaded part 1");
    result.putObject("result").put("filename", file)
        .put("signed_url", "http://127.0.0.1:" + server.getAddress().getPort() + path);
    return ok(result);
  }

  private Reply d1(String method, String[] p, Map<String, String> query, String body) {
    RecordedD1Database db = databases.get(p[4]);
    if (db == null) {
      return error(404, 7404, "The database " + p[4] + " could not be found");
    }
    String action = p.length > 5 ? String.join("/", List.of(p).subList(5, p.length)) : "";
    switch (method + " " + action) {
      case "GET " -> {
        ObjectNode info = info(db);
        info.putObject("read_replication").put("mode", "disabled");
        return ok(info);
      }
      case "POST query" -> {
        return query(db, readJson(body));
      }
      case "POST export" -> {
        return export(db, readJson(body));
      }
      case "GET time_travel/bookmark" -> {
        if (query.containsKey("timestamp")) {
          return null; // not modelled
        }
        return ok(JSON.createObjectNode().put("bookmark", db.bookmark()));
      }
      case "POST time_travel/restore" -> {
        String bookmark = query.get("bookmark");
        String previous = db.bookmark();
        if (bookmark == null || !db.restore(bookmark)) {
          return error(400, 7500, "Invalid bookmark " + bookmark);
        }
        return ok(JSON.createObjectNode().put("bookmark", bookmark).put("previous_bookmark", previous)
            .put("message", "Database restored successfully"));
      }
      default -> {
        return null;
      }
    }
  }

  /** {@code POST …/query} {@code {"sql": …, "params": […]}}: the statements run for real, as one batch. */
  private Reply query(RecordedD1Database db, JsonNode request) {
    String sql = request.path("sql").asText("");
    for (QueryFault fault : queryFaults) {
      if (sql.contains(fault.sqlContains())) {
        return error(400, 7500, fault.message());
      }
    }
    List<String> params = new ArrayList<>();
    request.path("params").forEach(v -> params.add(v.isNull() ? null : v.asText()));
    try {
      return ok(db.query(sql, params));
    } catch (RecordedD1Database.D1Failure e) {
      return error(400, 7500, e.getMessage());
    }
  }

  // ---- Workers ----

  private Reply workers(String method, String[] p, Map<String, String> query, String body, String contentType) {
    // /accounts/:a/workers/subdomain
    if (p.length == 4 && p[3].equals("subdomain") && method.equals("GET")) {
      return ok(JSON.createObjectNode().put("subdomain", subdomain));
    }
    if (p.length == 4 && p[3].equals("scripts") && method.equals("GET")) { // the account's Workers
      ArrayNode list = JSON.createArrayNode();
      scripts.values().forEach(script -> list.addObject().put("id", script.name).put("etag", script.tag));
      return ok(list);
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

  private RecordedD1Database db(String uuid) {
    RecordedD1Database db = databases.get(uuid);
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
