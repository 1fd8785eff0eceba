package dev.flaredeploy.activities.cloudflare.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flaredeploy.activities.cloudflare.CloudflareCredentials;
import dev.flaredeploy.activities.cloudflare.SecretScrubber;
import dev.flaredeploy.activities.cloudflare.api.CloudflareApi.Retries;
import dev.flaredeploy.activities.cloudflare.api.CloudflareApiException.ApiError;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.workflows.FailureTypes;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * How {@link CloudflareApi} talks HTTP: one request at a time to {@code <base URL><path>} with the token in
 * the {@code Authorization} header, the envelope's {@code result} or a typed {@link CloudflareApiException},
 * and the bounded, jittered retries {@link CloudflareApi} describes. Ticks about once a second while it waits.
 * Logs nothing. Thread-safe.
 */
final class ApiTransport {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** D1 gives a {@code /query} 30 s before answering 504; every other endpoint answers far sooner. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final HttpClient http;
  private final String baseUrl;
  private final Map<String, String> environment;
  private final String token;
  private final SecretScrubber scrubber;
  private final Retries retries;

  ApiTransport(HttpClient http, String baseUrl, Map<String, String> environment, Retries retries) {
    this.http = http;
    this.baseUrl = baseUrl;
    this.environment = environment;
    this.token = blankToNull(environment.get(CloudflareCredentials.TOKEN));
    List<String> secrets = new ArrayList<>();
    secrets.add(token);
    for (String other : List.of("CF_API_TOKEN", "CLOUDFLARE_API_KEY", "CF_API_KEY")) {
      secrets.add(environment.get(other));
    }
    this.scrubber = new SecretScrubber(secrets.stream().filter(Objects::nonNull).toList());
    this.retries = retries;
  }

  /** The same transport to another base URL. */
  ApiTransport to(String otherBaseUrl) {
    return new ApiTransport(http, otherBaseUrl, environment, retries);
  }

  String baseUrl() {
    return baseUrl;
  }

  boolean hasToken() {
    return token != null;
  }

  String scrub(String text) {
    return scrubber.scrub(text);
  }

  /**
   * @param purpose what the call is for, in a message: "query D1 database …"
   * @param permission the token permission it needs, for a 403's advice; null when none
   * @param repeatable safe to send again after a 5xx or a lost connection
   * @param d1Query a D1 {@code /query}: a 400 with code 7500 is D1 refusing the SQL
   */
  record Request(String method, String path, Map<String, String> query, JsonNode body, String purpose,
      String permission, boolean repeatable, boolean d1Query) {
    Request withQuery(String key, String value) {
      Map<String, String> q = new LinkedHashMap<>(query);
      q.put(key, value);
      return new Request(method, path, q, body, purpose, permission, repeatable, d1Query);
    }

    Request asD1Query() {
      return new Request(method, path, query, body, purpose, permission, repeatable, true);
    }

    String line() {
      return method + " " + path;
    }
  }

  static Request get(String path, String purpose, String permission) {
    return new Request("GET", path, Map.of(), null, purpose, permission, true, false);
  }

  static Request post(String path, String purpose, String permission, JsonNode body, boolean repeatable) {
    return new Request("POST", path, Map.of(), body, purpose, permission, repeatable, false);
  }

  /** Sends the request (retrying as {@link CloudflareApi} describes) and returns the envelope's {@code result}. */
  JsonNode call(Request request, Tick tick) {
    if (token == null) {
      CloudflareCredentials.from(environment).requireToken(); // throws CredentialsMissing
    }
    int attempt = 0;
    while (true) {
      attempt++;
      HttpResponse<String> response;
      try {
        response = send(request, tick);
      } catch (IOException e) {
        String why = "no answer from " + baseUrl + " (" + scrub(String.valueOf(e.getMessage())) + ")";
        if (!request.repeatable()) {
          throw outcomeUnknown(request, 0, why);
        }
        if (attempt >= retries.attempts()) {
          throw unavailable(request, 0, why, attempt);
        }
        pause(backoff(attempt), tick);
        continue;
      }
      int status = response.statusCode();
      JsonNode envelope = parse(response.body());
      if (status >= 200 && status < 300) {
        if (envelope.isMissingNode()) {
          throw unexpected(request.purpose(), "a JSON envelope", JSON.getNodeFactory().textNode(
              abbreviate(scrub(response.body()))));
        }
        if (envelope.path("success").asBoolean(true)) {
          return envelope.path("result");
        }
        throw refused(request, status, errors(envelope));
      }
      if (status == 429) {
        Optional<Duration> retryAfter = retryAfter(response);
        Duration wait = retryAfter.orElse(backoff(attempt));
        if (attempt >= retries.attempts() || wait.compareTo(retries.maxRetryAfter()) > 0) {
          throw rateLimited(request, retryAfter.orElse(null), attempt);
        }
        pause(wait.plusMillis(ThreadLocalRandom.current().nextLong(250)), tick);
        continue;
      }
      if (status >= 500) {
        String why = "HTTP " + status + describeErrors(errors(envelope));
        if (!request.repeatable()) {
          throw outcomeUnknown(request, status, why);
        }
        if (attempt >= retries.attempts()) {
          throw unavailable(request, status, why, attempt);
        }
        pause(backoff(attempt), tick);
        continue;
      }
      throw refused(request, status, errors(envelope));
    }
  }

  /** Sends once, ticking about once a second while the answer is on its way. */
  private HttpResponse<String> send(Request request, Tick tick) throws IOException {
    StringBuilder uri = new StringBuilder(baseUrl).append(request.path());
    if (!request.query().isEmpty()) {
      List<String> pairs = new ArrayList<>();
      request.query().forEach((k, v) -> pairs.add(encode(k) + "=" + encode(v)));
      uri.append('?').append(String.join("&", pairs));
    }
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(uri.toString()))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + token)
        .header("User-Agent", "flaredeploy");
    if (request.body() != null) {
      builder.header("Content-Type", "application/json")
          .method(request.method(), HttpRequest.BodyPublishers.ofString(request.body().toString()));
    } else {
      builder.method(request.method(), HttpRequest.BodyPublishers.noBody());
    }
    CompletableFuture<HttpResponse<String>> answer =
        http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    try {
      while (true) {
        try {
          return answer.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException stillWaiting) {
          tick.tick();
        }
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(String.valueOf(e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Cloudflare's API", e);
    } catch (RuntimeException e) { // the tick threw: the activity was cancelled or timed out
      answer.cancel(true);
      throw e;
    }
  }

  private static void pause(Duration wait, Tick tick) {
    long until = System.nanoTime() + wait.toNanos();
    try {
      while (true) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          return;
        }
        TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        tick.tick();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to retry a call to Cloudflare's API", e);
    }
  }

  /** Full jitter: a random wait up to {@code firstBackoff · 2^(attempt-1)}, at most {@code maxBackoff}. */
  private Duration backoff(int attempt) {
    long cap = Math.min(retries.maxBackoff().toMillis(),
        retries.firstBackoff().toMillis() << Math.min(attempt - 1, 20));
    return Duration.ofMillis(cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
  }

  /** {@code Retry-After} in seconds or as an HTTP date. */
  private static Optional<Duration> retryAfter(HttpResponse<?> response) {
    Optional<String> header = response.headers().firstValue("Retry-After").map(String::trim);
    if (header.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(header.get()))));
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(header.get(), DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
      } catch (RuntimeException unreadable) {
        return Optional.empty();
      }
    }
  }

  // ---- failures ----

  private CloudflareApiException refused(Request request, int status, List<ApiError> errors) {
    String observed = " (" + request.line() + " answered HTTP " + status + describeErrors(errors) + ")";
    if (request.d1Query() && status == 400 && errors.stream().anyMatch(e -> e.code() == D1SqlException.SQL_ERROR)) {
      String d1 = errors.stream().map(ApiError::message).reduce((a, b) -> a + "; " + b).orElse("");
      return new D1SqlException("D1 refused the SQL: " + d1, d1, status, errors);
    }
    String advice = switch (status) {
      case 401 -> "; the token in " + CloudflareCredentials.TOKEN + " was not accepted (wrong, expired or revoked):"
          + " create a new API token and start the worker with it";
      case 403 -> "; the token in " + CloudflareCredentials.TOKEN + " lacks a permission"
          + (request.permission() == null ? "" : " (this call needs " + request.permission() + ")")
          + " or cannot use this account: add the permission to the token for the account in the path"
          + " (dash.cloudflare.com → My Profile → API Tokens), or set the account the token belongs to ("
          + CloudflareCredentials.ACCOUNT_ID + " or account_id)";
      case 404 -> "; Cloudflare does not know what the path names in this account: check the id in the"
          + " wrangler config (database_id, the Worker's name) and the account (" + CloudflareCredentials.ACCOUNT_ID
          + " or account_id)";
      default -> "";
    };
    return new CloudflareApiException(FailureTypes.CLOUDFLARE_REFUSED, false,
        "Cloudflare refused to " + request.purpose() + observed + advice, status, errors, false);
  }

  private CloudflareApiException unavailable(Request request, int status, String why, int attempts) {
    return new CloudflareApiException(FailureTypes.CLOUDFLARE_UNAVAILABLE, true,
        "Cloudflare's API was unavailable to " + request.purpose() + ": " + why + " (" + request.line() + ", "
            + attempts + (attempts == 1 ? " attempt" : " attempts") + "); this call changed nothing, and the step"
            + " is retried", status, List.of(), false);
  }

  private CloudflareApiException rateLimited(Request request, Duration retryAfter, int attempts) {
    return new CloudflareApiException(FailureTypes.CLOUDFLARE_UNAVAILABLE, true,
        "Cloudflare rate-limited the requests to " + request.purpose() + " (" + request.line() + " answered HTTP"
            + " 429 " + attempts + (attempts == 1 ? " time" : " times")
            + (retryAfter == null ? "" : ", Retry-After: " + retryAfter.toSeconds() + " s") + "); this call"
            + " changed nothing, and the step is retried" + (retryAfter == null ? "" : " after that wait")
            + "; Cloudflare allows about 1,200 API requests per 5 minutes per user, so other tools using the same"
            + " token count too", 429, List.of(), false, retryAfter);
  }

  private CloudflareApiException outcomeUnknown(Request request, int status, String why) {
    return new CloudflareApiException(FailureTypes.CLOUDFLARE_UNAVAILABLE, true,
        "Cloudflare's API did not answer whether it could " + request.purpose() + ": " + why + " ("
            + request.line() + "); it may or may not have taken effect", status, List.of(), true);
  }

  CloudflareApiException unexpected(String purpose, String expected, JsonNode got) {
    return new CloudflareApiException(FailureTypes.CLOUDFLARE_UNAVAILABLE, true,
        "Cloudflare's API answered the request to " + purpose + " without " + expected + ": "
            + abbreviate(scrub(got.toString())), 200, List.of(), false);
  }

  private List<ApiError> errors(JsonNode envelope) {
    List<ApiError> errors = new ArrayList<>();
    envelope.path("errors").forEach(e -> errors.add(new ApiError(e.path("code").asInt(0),
        scrub(e.path("message").asText("")))));
    return errors;
  }

  private static String describeErrors(List<ApiError> errors) {
    if (errors.isEmpty()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    errors.forEach(e -> parts.add("code " + e.code() + ": " + e.message()));
    return ", " + String.join("; ", parts);
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return JSON.missingNode();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException notJson) {
      return JSON.missingNode(); // an HTML error page from Cloudflare's edge
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String abbreviate(String s) {
    String t = s.strip();
    return t.length() <= 300 ? t : t.substring(0, 300) + "…";
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
