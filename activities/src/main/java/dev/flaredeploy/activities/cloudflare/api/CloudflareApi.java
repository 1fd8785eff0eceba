package dev.flaredeploy.activities.cloudflare.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flaredeploy.activities.cloudflare.CloudflareCredentials;
import dev.flaredeploy.activities.cloudflare.CloudflareException;
import dev.flaredeploy.activities.cloudflare.SecretScrubber;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.workflows.FailureTypes;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Cloudflare's API v4, called directly with {@code java.net.http}: D1 ({@code /query}, database info, list
 * and create, Time Travel bookmark and restore), Workers (deployments, versions, secret names), token
 * verification and the token's accounts. What wrangler would otherwise start a Node process for.
 *
 * <p>Where it goes, as wrangler resolves it: {@code CLOUDFLARE_API_BASE_URL} (or its deprecated alias
 * {@code CF_API_BASE_URL}), else {@code https://api[.fed][.staging].cloudflare.com/client/v4} ({@code .fed}
 * for the FedRAMP High compliance region of {@code CLOUDFLARE_COMPLIANCE_REGION} or the config's {@code
 * compliance_region}, {@code .staging} for {@code WRANGLER_API_ENVIRONMENT=staging}); paths are appended
 * as wrangler appends them. Authorized with the worker's own {@code CLOUDFLARE_API_TOKEN}, which is read
 * from the environment given here and never from a workflow input.
 *
 * <p>Retries, bounded and jittered, inside the call: a 429 (after {@code Retry-After}, which is honoured),
 * and a 5xx or a lost connection when the request is safe to send again (reads, and writes that say so).
 * A 5xx or lost connection on a request that is not safe to repeat is not retried: it throws with {@link
 * CloudflareApiException#outcomeUnknown()}, and the caller looks before it acts again. Nothing else is
 * retried: a refused request ({@link FailureTypes#CLOUDFLARE_REFUSED}) names what it was for and what to
 * fix. While it waits (for an answer, or before a retry) it ticks about once a second, so an activity
 * heartbeats.
 *
 * <p>Secrets: the token is only ever in the {@code Authorization} header. This class logs nothing (so no
 * header), and every text Cloudflare sends back is scrubbed of the token before it reaches a message.
 *
 * <p>Thread-safe: calls may run concurrently.
 */
public final class CloudflareApi {
  public static final String DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4";
  /** wrangler's deprecated alias of {@code CLOUDFLARE_API_BASE_URL}, still honoured. */
  public static final String LEGACY_API_BASE_URL = "CF_API_BASE_URL";
  /** wrangler's deprecated alias of {@code CLOUDFLARE_ACCOUNT_ID}, still honoured. */
  public static final String LEGACY_ACCOUNT_ID = "CF_ACCOUNT_ID";
  public static final String API_ENVIRONMENT = "WRANGLER_API_ENVIRONMENT";
  public static final String COMPLIANCE_REGION = "CLOUDFLARE_COMPLIANCE_REGION";
  /** Cloudflare's API code for a rate-limited request. */
  public static final int RATE_LIMITED = 971;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * How the client retries: at most {@code attempts} sends per call; before the n-th retry a random wait of
   * up to {@code firstBackoff · 2^(n-1)} (at most {@code maxBackoff}), or the {@code Retry-After} of a 429
   * plus up to a second, which may be at most {@code maxRetryAfter} (a longer one gives up at once).
   */
  public record Retries(int attempts, Duration firstBackoff, Duration maxBackoff, Duration maxRetryAfter) {
    /** Five sends, 0.5 s doubling up to 8 s between them, and a Retry-After of at most a minute. */
    public static final Retries DEFAULT =
        new Retries(5, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(60));
  }

  private final ApiTransport transport;
  private final Map<String, String> environment;
  /** The one account the token can use, once asked ({@link #accountId}); the same for every region. */
  private final AtomicReference<String> onlyAccount;

  private CloudflareApi(ApiTransport transport, Map<String, String> environment, AtomicReference<String> onlyAccount) {
    this.transport = transport;
    this.environment = environment;
    this.onlyAccount = onlyAccount;
  }

  /**
   * The API as this worker reaches it: token, account and base URL from {@code environment} (the worker's
   * {@code System.getenv()}). A missing token fails the first call ({@link FailureTypes#CREDENTIALS_MISSING}),
   * not this.
   */
  public static CloudflareApi fromEnvironment(Map<String, String> environment) {
    return fromEnvironment(environment, Retries.DEFAULT);
  }

  public static CloudflareApi fromEnvironment(Map<String, String> environment, Retries retries) {
    Map<String, String> env = Map.copyOf(withoutNulls(environment));
    String base = baseUrl(env, null);
    HttpClient http = HttpClient.newBuilder()
        .connectTimeout(CONNECT_TIMEOUT)
        .version(base.startsWith("https:") ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    return new CloudflareApi(new ApiTransport(http, base, env, retries), env, new AtomicReference<>());
  }

  /**
   * The same API for a project whose wrangler config sets {@code compliance_region} ({@code public} or
   * {@code fedramp_high}; null when it sets none), as wrangler picks its base URL for that project.
   *
   * @throws CloudflareException {@code ConfigInvalid} when the config and {@code CLOUDFLARE_COMPLIANCE_REGION}
   *     disagree (wrangler refuses that too)
   */
  public CloudflareApi forComplianceRegion(String configComplianceRegion) {
    String base = baseUrl(environment, configComplianceRegion);
    return base.equals(transport.baseUrl()) ? this
        : new CloudflareApi(transport.to(base), environment, onlyAccount);
  }

  /**
   * The base URL wrangler uses with this environment and a config's {@code compliance_region} (null: none).
   */
  public static String baseUrl(Map<String, String> environment, String configComplianceRegion) {
    String explicit = blankToNull(environment.get(CloudflareCredentials.API_BASE_URL));
    if (explicit == null) {
      explicit = blankToNull(environment.get(LEGACY_API_BASE_URL));
    }
    if (explicit != null) {
      return explicit;
    }
    String fromEnv = blankToNull(environment.get(COMPLIANCE_REGION));
    String fromConfig = blankToNull(configComplianceRegion);
    if (fromEnv != null && fromConfig != null && !fromEnv.equals(fromConfig)) {
      throw new CloudflareException(FailureTypes.CONFIG_INVALID, false,
          "the compliance region is set to different values: " + COMPLIANCE_REGION + " is " + fromEnv
              + " and compliance_region in the wrangler config is " + fromConfig + "; make them agree (wrangler"
              + " refuses this too)");
    }
    String region = fromEnv != null ? fromEnv : fromConfig;
    boolean staging = "staging".equals(blankToNull(environment.get(API_ENVIRONMENT)));
    return "https://api" + ("fedramp_high".equals(region) ? ".fed" : "") + (staging ? ".staging" : "")
        + ".cloudflare.com/client/v4";
  }

  /** Where the calls go. */
  public String baseUrl() {
    return transport.baseUrl();
  }

  /** Removes the token (and other credentials of the environment) from {@code text}. */
  public String scrub(String text) {
    return transport.scrub(text);
  }

  // ---- token and account ----

  /** What {@code GET /user/tokens/verify} says of the token: its id and status ({@code active}, …). */
  public record TokenStatus(String id, String status, String expiresOn) {
    public boolean active() {
      return "active".equals(status);
    }
  }

  /**
   * Verifies the token as a user token ({@code GET /user/tokens/verify}); an account-owned token verifies
   * with {@link #verifyAccountToken}. Needs no permission.
   */
  public TokenStatus verifyToken(Tick tick) {
    JsonNode result = transport.call(ApiTransport.get("/user/tokens/verify", "verify the API token", null), tick);
    return tokenStatus(result);
  }

  /** Verifies an account-owned token ({@code GET /accounts/<account>/tokens/verify}). */
  public TokenStatus verifyAccountToken(String accountId, Tick tick) {
    JsonNode result = transport.call(ApiTransport.get("/accounts/" + segment(accountId, "account id") + "/tokens/verify",
        "verify the account API token", null), tick);
    return tokenStatus(result);
  }

  /** An account the token can use ({@code GET /memberships}). */
  public record Account(String id, String name) {}

  public List<Account> accounts(Tick tick) {
    JsonNode result = transport.call(ApiTransport.get("/memberships", "list the accounts the token can use", "User → Memberships:Read")
        .withQuery("per_page", "50"), tick);
    List<Account> accounts = new ArrayList<>();
    result.forEach(m -> accounts.add(new Account(m.path("account").path("id").asText(),
        m.path("account").path("name").asText(""))));
    return accounts;
  }

  /**
   * The account the project's commands act on, resolved as wrangler resolves it: the config's {@code
   * account_id} (given here; null when it has none), else {@code CLOUDFLARE_ACCOUNT_ID} (or {@code
   * CF_ACCOUNT_ID}), else the one account the token can use ({@code GET /memberships}, asked once per
   * worker).
   *
   * @throws CloudflareException {@code ConfigInvalid} when the token can use several accounts, or none
   */
  public String accountId(String configAccountId, Tick tick) {
    String configured = blankToNull(configAccountId);
    if (configured != null) {
      return configured;
    }
    Optional<String> fromEnv = accountIdFromEnvironment();
    if (fromEnv.isPresent()) {
      return fromEnv.get();
    }
    String known = onlyAccount.get();
    if (known != null) {
      return known;
    }
    List<Account> accounts = accounts(tick);
    if (accounts.size() != 1) {
      throw new CloudflareException(FailureTypes.CONFIG_INVALID, false,
          (accounts.isEmpty() ? "the API token can use no account"
              : "the API token can use " + accounts.size() + " accounts ("
                  + String.join(", ", accounts.stream().map(Account::id).toList()) + ")")
              + ", and neither account_id in the wrangler config nor " + CloudflareCredentials.ACCOUNT_ID
              + " says which one to deploy to: set " + CloudflareCredentials.ACCOUNT_ID
              + " in the worker's environment (or account_id in the config)");
    }
    onlyAccount.set(accounts.get(0).id());
    return accounts.get(0).id();
  }

  /** {@code CLOUDFLARE_ACCOUNT_ID}, else its deprecated alias {@code CF_ACCOUNT_ID}. */
  public Optional<String> accountIdFromEnvironment() {
    String id = blankToNull(environment.get(CloudflareCredentials.ACCOUNT_ID));
    return Optional.ofNullable(id != null ? id : blankToNull(environment.get(LEGACY_ACCOUNT_ID)));
  }

  // ---- D1 ----

  /** A D1 database as its info and list endpoints describe it. */
  public record D1Database(String uuid, String name, String version, long fileSize, int tables) {}

  /** {@code GET /accounts/<a>/d1/database/<id>}. */
  public D1Database database(String accountId, String databaseId, Tick tick) {
    return d1Database(transport.call(ApiTransport.get(d1(accountId, databaseId), "read the info of D1 database " + databaseId,
        "D1:Read"), tick));
  }

  /** The account's D1 databases named exactly {@code name} ({@code GET /accounts/<a>/d1/database?name=}). */
  public List<D1Database> databasesNamed(String accountId, String name, Tick tick) {
    JsonNode result = transport.call(ApiTransport.get("/accounts/" + segment(accountId, "account id") + "/d1/database",
        "look for the D1 database " + name, "D1:Read").withQuery("name", name).withQuery("per_page", "100"), tick);
    List<D1Database> found = new ArrayList<>();
    result.forEach(db -> {
      if (name.equals(db.path("name").asText())) {
        found.add(d1Database(db));
      }
    });
    return found;
  }

  /** The first {@code limit} of the account's D1 databases ({@code GET /accounts/<a>/d1/database}). */
  public List<D1Database> databases(String accountId, int limit, Tick tick) {
    JsonNode result = transport.call(ApiTransport.get("/accounts/" + segment(accountId, "account id") + "/d1/database",
        "list the D1 databases of account " + accountId, "D1:Read").withQuery("per_page", String.valueOf(limit)), tick);
    List<D1Database> found = new ArrayList<>();
    result.forEach(db -> found.add(d1Database(db)));
    return found;
  }

  /** Creates a D1 database ({@code POST /accounts/<a>/d1/database {"name": …}}); not repeated on a 5xx. */
  public D1Database createDatabase(String accountId, String name, Tick tick) {
    ObjectNode body = JSON.createObjectNode().put("name", name);
    return d1Database(transport.call(ApiTransport.post("/accounts/" + segment(accountId, "account id") + "/d1/database",
        "create the D1 database " + name, "D1:Edit", body, false), tick));
  }

  /** One statement's answer from {@code /query}: its rows (column → value as text, null for NULL). */
  public record D1Result(List<Map<String, String>> rows, long changes) {}

  /** What a {@code /query} does, which decides the permission it needs and whether a 5xx is retried. */
  public enum QueryKind {
    /** Reads only: retried after a 5xx or a lost connection. Needs D1:Read. */
    READ,
    /**
     * Writes what may be written twice ({@code CREATE … IF NOT EXISTS}, {@code INSERT OR IGNORE}): retried
     * like a read. Needs D1:Edit.
     */
    REPEATABLE_WRITE,
    /**
     * Writes what must be written once (a migration and its ledger row): after a 5xx or a lost connection it
     * throws with {@link CloudflareApiException#outcomeUnknown()}, and the caller looks first. Needs D1:Edit.
     */
    WRITE
  }

  /**
   * {@code POST /accounts/<a>/d1/database/<id>/query {"sql": …}}: D1 runs the statements in order as one
   * atomic batch and answers one {@link D1Result} per statement.
   *
   * @throws D1SqlException when a statement fails (nothing of the batch was applied)
   */
  public List<D1Result> query(String accountId, String databaseId, String sql, QueryKind kind, Tick tick) {
    ObjectNode body = JSON.createObjectNode().put("sql", sql);
    JsonNode result = transport.call(ApiTransport.post(d1(accountId, databaseId) + "/query", "query D1 database " + databaseId,
        kind == QueryKind.READ ? "D1:Read" : "D1:Edit", body, kind != QueryKind.WRITE).asD1Query(), tick);
    List<D1Result> statements = new ArrayList<>();
    for (JsonNode statement : result) {
      List<Map<String, String>> rows = new ArrayList<>();
      for (JsonNode row : statement.path("results")) {
        Map<String, String> values = new LinkedHashMap<>();
        row.fields().forEachRemaining(f -> values.put(f.getKey(), text(f.getValue())));
        rows.add(values);
      }
      statements.add(new D1Result(rows, statement.path("meta").path("changes").asLong(0)));
    }
    return statements;
  }

  /** The database's current Time Travel bookmark ({@code GET …/time_travel/bookmark}). */
  public String bookmark(String accountId, String databaseId, Tick tick) {
    JsonNode result = transport.call(ApiTransport.get(d1(accountId, databaseId) + "/time_travel/bookmark",
        "read the Time Travel bookmark of D1 database " + databaseId, "D1:Read"), tick);
    String bookmark = result.path("bookmark").asText("");
    if (bookmark.isBlank()) {
      throw transport.unexpected("read the Time Travel bookmark of D1 database " + databaseId, "a bookmark", result);
    }
    return bookmark;
  }

  /** What a Time Travel restore did: where the database is now, and the bookmark that undoes it. */
  public record Restored(String bookmark, String previousBookmark) {}

  /**
   * Restores the database to {@code bookmark} ({@code POST …/time_travel/restore?bookmark=…}). Safe to
   * repeat (the same bookmark twice leaves the same data), so a 5xx is retried.
   */
  public Restored restore(String accountId, String databaseId, String bookmark, Tick tick) {
    JsonNode result = transport.call(ApiTransport.post(d1(accountId, databaseId) + "/time_travel/restore",
        "restore D1 database " + databaseId + " to a Time Travel bookmark", "D1:Edit", null, true)
        .withQuery("bookmark", bookmark), tick);
    return new Restored(result.path("bookmark").asText(bookmark), result.path("previous_bookmark").asText(null));
  }

  // ---- Workers ----

  /** A deployment: which versions serve which share of the traffic, in the deployment's order. */
  public record Deployment(String id, String createdOn, Map<String, Double> versions) {}

  /**
   * The Worker's deployments, newest first ({@code GET …/workers/scripts/<name>/deployments}); empty when
   * the Worker does not exist.
   */
  public Optional<List<Deployment>> deployments(String accountId, String workerName, Tick tick) {
    return ifWorkerExists(() -> {
      JsonNode result = transport.call(ApiTransport.get(script(accountId, workerName) + "/deployments",
          "read the deployments of Worker " + workerName, "Workers Scripts:Read"), tick);
      List<Deployment> deployments = new ArrayList<>();
      for (JsonNode d : result.path("deployments")) {
        Map<String, Double> versions = new LinkedHashMap<>();
        d.path("versions").forEach(v -> versions.put(v.path("version_id").asText(), v.path("percentage").asDouble()));
        deployments.add(new Deployment(d.path("id").asText(null), d.path("created_on").asText(""), versions));
      }
      return deployments;
    });
  }

  /** A version of a Worker: its id, its tag ({@code annotations["workers/tag"]}, null when none), when made. */
  public record WorkerVersion(String id, String tag, String createdOn) {}

  /** One version ({@code GET …/workers/scripts/<name>/versions/<id>}). */
  public WorkerVersion version(String accountId, String workerName, String versionId, Tick tick) {
    return workerVersion(transport.call(ApiTransport.get(script(accountId, workerName) + "/versions/" + segment(versionId, "version id"),
        "read version " + versionId + " of Worker " + workerName, "Workers Scripts:Read"), tick));
  }

  /**
   * The Worker's deployable versions, as listed ({@code GET …/versions?deployable=true}, the newest ones);
   * empty when the Worker does not exist.
   */
  public Optional<List<WorkerVersion>> versions(String accountId, String workerName, Tick tick) {
    return ifWorkerExists(() -> {
      JsonNode result = transport.call(ApiTransport.get(script(accountId, workerName) + "/versions",
          "list the versions of Worker " + workerName, "Workers Scripts:Read").withQuery("deployable", "true"), tick);
      List<WorkerVersion> versions = new ArrayList<>();
      result.path("items").forEach(v -> versions.add(workerVersion(v)));
      return versions;
    });
  }

  /** The names of the Worker's secrets ({@code GET …/secrets}); empty when the Worker does not exist. */
  public Optional<List<String>> secretNames(String accountId, String workerName, Tick tick) {
    return ifWorkerExists(() -> {
      JsonNode result = transport.call(ApiTransport.get(script(accountId, workerName) + "/secrets",
          "list the secret names of Worker " + workerName, "Workers Scripts:Read"), tick);
      List<String> names = new ArrayList<>();
      result.forEach(s -> names.add(s.path("name").asText()));
      return names;
    });
  }

  /** The names of the account's Workers ({@code GET /accounts/<a>/workers/scripts}). */
  public List<String> workerNames(String accountId, Tick tick) {
    JsonNode result = transport.call(ApiTransport.get("/accounts/" + segment(accountId, "account id")
        + "/workers/scripts", "list the Workers of account " + accountId, "Workers Scripts:Read"), tick);
    List<String> names = new ArrayList<>();
    result.forEach(w -> names.add(w.path("id").asText()));
    return names;
  }

  // ---- helpers ----

  private <T> Optional<T> ifWorkerExists(java.util.function.Supplier<T> read) {
    try {
      return Optional.of(read.get());
    } catch (CloudflareApiException e) {
      if (e.status() == 404 && (e.hasCode(10007) || e.hasCode(10090))) {
        return Optional.empty(); // workers.api.error.script_not_found / service_not_found
      }
      throw e;
    }
  }

  private static String d1(String accountId, String databaseId) {
    return "/accounts/" + segment(accountId, "account id") + "/d1/database/" + segment(databaseId, "database_id");
  }

  private static String script(String accountId, String workerName) {
    return "/accounts/" + segment(accountId, "account id") + "/workers/scripts/" + segment(workerName, "Worker name");
  }

  /** An id that goes into a path as it is: letters, digits, {@code .}, {@code _} and {@code -} only. */
  private static String segment(String value, String what) {
    if (value == null || !value.matches("[A-Za-z0-9._-]+")) {
      throw new CloudflareException(FailureTypes.CONFIG_INVALID, false,
          "\"" + value + "\" is not a valid " + what + " for Cloudflare's API (letters, digits, '.', '_' and '-'"
              + " only): check the wrangler config and " + CloudflareCredentials.ACCOUNT_ID);
    }
    return value;
  }

  private static D1Database d1Database(JsonNode db) {
    return new D1Database(db.path("uuid").asText(), db.path("name").asText(), db.path("version").asText(null),
        db.path("file_size").asLong(0), db.path("num_tables").asInt(0));
  }

  private static WorkerVersion workerVersion(JsonNode v) {
    String tag = v.path("annotations").path("workers/tag").asText("");
    return new WorkerVersion(v.path("id").asText(), tag.isBlank() ? null : tag,
        v.path("metadata").path("created_on").asText(""));
  }

  private static TokenStatus tokenStatus(JsonNode result) {
    return new TokenStatus(result.path("id").asText(null), result.path("status").asText(null),
        result.path("expires_on").asText(null));
  }

  /** A value of a D1 row as text: numbers as SQLite prints them, null for NULL. */
  private static String text(JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isIntegralNumber()) {
      return value.bigIntegerValue().toString();
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static Map<String, String> withoutNulls(Map<String, String> environment) {
    Map<String, String> copy = new LinkedHashMap<>();
    environment.forEach((k, v) -> {
      if (k != null && v != null) {
        copy.put(k, v);
      }
    });
    return copy;
  }

  @Override
  public String toString() {
    return "CloudflareApi[" + transport.baseUrl() + ", token=" + (transport.hasToken() ? SecretScrubber.MASK : "unset")
        + "]";
  }
}
