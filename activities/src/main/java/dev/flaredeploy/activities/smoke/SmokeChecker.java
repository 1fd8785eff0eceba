package dev.flaredeploy.activities.smoke;

import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.workflows.model.SmokeCheck;
import dev.flaredeploy.workflows.model.SmokePlan;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link SmokePlan} against a release: every check (an HTTP GET of base URL + path) in rounds,
 * until all pass in the same round or {@code timeoutMillis} has passed. A check passes when its status
 * expectation holds ({@link SmokeCheck#acceptsStatus}: the status given, below a bound, else any 2xx) and the
 * body contains {@code expectBodyContains} (when not null). Read-only, so safe to repeat; at least one round always runs.
 */
public class SmokeChecker {
  /** How much of a body a failure quotes. */
  public static final int EXCERPT_CHARS = 200;

  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_ROUND_PAUSE = Duration.ofMillis(500);

  private final HttpClient http;
  private final Duration requestTimeout;
  private final Duration roundPause;

  public SmokeChecker() {
    this(
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build(),
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_ROUND_PAUSE);
  }

  /**
   * @param requestTimeout the longest one request may take (also bounded by the time left)
   * @param roundPause the wait between two rounds
   */
  public SmokeChecker(HttpClient http, Duration requestTimeout, Duration roundPause) {
    this.http = http;
    this.requestTimeout = requestTimeout;
    this.roundPause = roundPause;
  }

  /**
   * Runs the plan against {@code baseUrl} (e.g. {@code http://127.0.0.1:8787}), calling {@code tick}
   * about once a second (it may throw to stop).
   *
   * @throws SmokeTestFailedException when no round passed entirely before the timeout; it names what
   *     each failing check observed last
   */
  public SmokeResult check(String baseUrl, SmokePlan plan, ProcessRunner.Tick tick) {
    return check(baseUrl, Map.of(), plan, tick);
  }

  /**
   * As {@link #check(String, SmokePlan, ProcessRunner.Tick)}, with {@code headers} on every request (e.g.
   * Cloudflare's version override, to reach one version of a Worker); failures name them.
   */
  public SmokeResult check(
      String baseUrl, Map<String, String> headers, SmokePlan plan, ProcessRunner.Tick tick) {
    List<SmokeCheck> checks = plan.checks() == null ? List.of() : plan.checks();
    if (checks.isEmpty()) {
      return new SmokeResult("no smoke checks configured", 0, List.of());
    }
    long start = System.nanoTime();
    long deadline = start + Duration.ofMillis(Math.max(0, plan.timeoutMillis())).toNanos();
    Ticker ticker = new Ticker(tick);
    int rounds = 0;
    while (true) {
      rounds++;
      List<CheckObservation> round = new ArrayList<>();
      for (SmokeCheck check : checks) {
        round.add(observe(baseUrl, headers, check, deadline));
        ticker.maybeTick();
      }
      List<CheckObservation> failed = round.stream().filter(o -> !o.passed()).toList();
      if (failed.isEmpty()) {
        return new SmokeResult(passedDetail(round, rounds, start), rounds, round);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw failure(describe(baseUrl, headers), failed, checks.size(), rounds, start);
      }
      pause(Math.min(roundPause.toNanos(), left), ticker);
    }
  }

  private static String describe(String baseUrl, Map<String, String> headers) {
    StringBuilder out = new StringBuilder(baseUrl);
    headers.forEach((name, value) -> out.append(" (").append(name).append(": ").append(value).append(')'));
    return out.toString();
  }

  private CheckObservation observe(String baseUrl, Map<String, String> headers, SmokeCheck check, long deadline) {
    Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0));
    Duration timeout = left.compareTo(requestTimeout) < 0 ? left : requestTimeout;
    if (timeout.toMillis() < 250) {
      timeout = Duration.ofMillis(250);
    }
    long begin = System.nanoTime();
    try {
      HttpRequest.Builder builder =
          HttpRequest.newBuilder(URI.create(join(baseUrl, check.path()))).timeout(timeout).GET();
      headers.forEach(builder::header);
      HttpRequest request = builder.build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      long millis = elapsedMillis(begin);
      String body = response.body() == null ? "" : response.body();
      boolean statusOk = check.acceptsStatus(response.statusCode());
      boolean bodyOk = check.expectBodyContains() == null || body.contains(check.expectBodyContains());
      return new CheckObservation(
          check, statusOk && bodyOk, response.statusCode(), excerpt(body), null, millis);
    } catch (HttpTimeoutException e) {
      return noResponse(check, "no answer within " + timeout.toMillis() + " ms", begin);
    } catch (IOException | IllegalArgumentException e) {
      String error = e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
      return noResponse(check, error, begin);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during smoke checks", e);
    }
  }

  private static CheckObservation noResponse(SmokeCheck check, String error, long begin) {
    return new CheckObservation(check, false, null, null, error, elapsedMillis(begin));
  }

  private static String passedDetail(List<CheckObservation> round, int rounds, long start) {
    String count = round.size() == 1 ? "1 check passed" : round.size() + " checks passed";
    String after =
        rounds == 1 ? "" : " after " + rounds + " rounds (" + seconds(start) + " s)";
    return count + after + ": "
        + String.join(", ", round.stream().map(CheckObservation::summary).toList());
  }

  private static SmokeTestFailedException failure(
      String baseUrl, List<CheckObservation> failed, int total, int rounds, long start) {
    StringBuilder message =
        new StringBuilder()
            .append(failed.size())
            .append(" of ")
            .append(total)
            .append(total == 1 ? " smoke check" : " smoke checks")
            .append(" still failing against ")
            .append(baseUrl)
            .append(" after ")
            .append(seconds(start))
            .append(" s (")
            .append(rounds)
            .append(rounds == 1 ? " round)" : " rounds)");
    for (CheckObservation o : failed) {
      message.append("\n  ").append(o.describe());
    }
    return new SmokeTestFailedException(message.toString(), failed, rounds);
  }

  static String join(String baseUrl, String path) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    String p = path == null || path.isEmpty() ? "/" : path;
    return base + (p.startsWith("/") ? p : "/" + p);
  }

  static String excerpt(String body) {
    String oneLine = body.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= EXCERPT_CHARS ? oneLine : oneLine.substring(0, EXCERPT_CHARS) + "…";
  }

  private static void pause(long nanos, Ticker ticker) {
    try {
      Thread.sleep(Math.max(1, nanos / 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during smoke checks", e);
    }
    ticker.maybeTick();
  }

  private static long elapsedMillis(long begin) {
    return Duration.ofNanos(System.nanoTime() - begin).toMillis();
  }

  private static String seconds(long start) {
    return String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9);
  }

  /** Calls the caller's tick at most about once a second. */
  private static final class Ticker {
    private final ProcessRunner.Tick tick;
    private long last = System.nanoTime();

    Ticker(ProcessRunner.Tick tick) {
      this.tick = tick;
    }

    void maybeTick() {
      long now = System.nanoTime();
      if (now - last >= 900_000_000L) {
        last = now;
        tick.tick();
      }
    }
  }
}
