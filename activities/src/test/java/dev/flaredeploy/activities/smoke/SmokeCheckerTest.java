package dev.flaredeploy.activities.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.flaredeploy.activities.TestPorts;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.workflows.model.SmokeCheck;
import dev.flaredeploy.workflows.model.SmokePlan;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SmokeChecker against a real HTTP server on 127.0.0.1. */
class SmokeCheckerTest {
  private static final SmokeCheck HEALTH = new SmokeCheck("/health", 200, "healthy");

  private final SmokeChecker checker =
      new SmokeChecker(
          HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
          Duration.ofMillis(400),
          Duration.ofMillis(100));
  private final AtomicInteger ticks = new AtomicInteger();
  private final ProcessRunner.Tick tick = ticks::incrementAndGet;
  private HttpServer server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void passesWhenEveryCheckAnswersAsExpected() throws IOException {
    String base = serve((exchange, n) -> respond(exchange, 200, "{\"status\":\"healthy\",\"notes\":0}"));

    SmokeResult result =
        checker.check(
            base,
            new SmokePlan(2_000, List.of(HEALTH, new SmokeCheck("/", null, null)), null),
            tick);

    assertThat(result.rounds()).isEqualTo(1);
    assertThat(result.detail()).matches("2 checks passed: GET /health 200 in \\d+ ms, GET / 200 in \\d+ ms");
  }

  @Test
  void anyTwoHundredPassesWhenNoStatusIsExpected() throws IOException {
    String base = serve((exchange, n) -> respond(exchange, 204, ""));

    SmokeResult result =
        checker.check(base, new SmokePlan(1_000, List.of(new SmokeCheck("/", null, null)), null), tick);

    assertThat(result.detail()).startsWith("1 check passed: GET / 204 in ");
  }

  @Test
  void aCheckBelowFiveHundredPassesOnANotFoundAndFailsOnAServerError() throws IOException {
    SmokeCheck root = new SmokeCheck("/", null, null, 500);
    String notFound = serve((exchange, n) -> respond(exchange, 404, "no route"));

    assertThat(checker.check(notFound, new SmokePlan(1_000, List.of(root), null), tick).detail())
        .startsWith("1 check passed: GET / 404 in ");

    stopServer();
    String broken = serve((exchange, n) -> respond(exchange, 500, "Error 1101: Worker threw exception"));
    assertThatThrownBy(() -> checker.check(broken, new SmokePlan(500, List.of(root), null), tick))
        .isInstanceOf(SmokeTestFailedException.class)
        .hasMessageContaining("GET / expected a status below 500; got status 500, body: Error 1101");
  }

  @Test
  void failsOnWrongStatusSayingWhatWasSeen() throws IOException {
    String base =
        serve((exchange, n) -> respond(exchange, 503, "{\"status\":\"unhealthy\",\"error\":\"no such table: notes\"}"));

    assertThatThrownBy(() -> checker.check(base, new SmokePlan(700, List.of(HEALTH), null), tick))
        .isInstanceOfSatisfying(
            SmokeTestFailedException.class,
            e -> {
              assertThat(e.rounds()).isGreaterThan(1);
              assertThat(e.failures()).singleElement().satisfies(o -> assertThat(o.status()).isEqualTo(503));
              assertThat(e.getMessage())
                  .startsWith("1 of 1 smoke check still failing against " + base)
                  .contains("GET /health expected status 200 and a body containing \"healthy\"")
                  .contains("got status 503, body: {\"status\":\"unhealthy\",\"error\":\"no such table: notes\"}");
            });
  }

  @Test
  void failsWhenTheBodyLacksTheExpectedText() throws IOException {
    String base = serve((exchange, n) -> respond(exchange, 200, "x".repeat(500)));

    assertThatThrownBy(() -> checker.check(base, new SmokePlan(300, List.of(HEALTH), null), tick))
        .isInstanceOf(SmokeTestFailedException.class)
        .hasMessageContaining("got status 200, body: " + "x".repeat(200) + "…")
        .hasMessageNotContaining("x".repeat(201));
  }

  @Test
  void passesOnceTheReleaseTurnsHealthy() throws IOException {
    String base =
        serve((exchange, n) -> {
          if (n <= 3) {
            respond(exchange, 503, "{\"status\":\"unhealthy\"}");
          } else {
            respond(exchange, 200, "{\"status\":\"healthy\"}");
          }
        });

    SmokeResult result = checker.check(base, new SmokePlan(5_000, List.of(HEALTH), null), tick);

    assertThat(result.rounds()).isEqualTo(4);
    assertThat(result.detail()).matches("1 check passed after 4 rounds \\(\\d+\\.\\d s\\): GET /health 200 in \\d+ ms");
  }

  @Test
  void timesOutWithWhatEachCheckLastObserved() throws IOException {
    String base =
        serve((exchange, n) -> {
          if (exchange.getRequestURI().getPath().equals("/slow")) {
            sleep(1_000);
          }
          respond(exchange, 200, "{\"status\":\"healthy\"}");
        });
    List<SmokeCheck> checks = List.of(HEALTH, new SmokeCheck("/slow", null, null));

    long start = System.nanoTime();
    assertThatThrownBy(() -> checker.check(base, new SmokePlan(1_500, checks, null), tick))
        .isInstanceOfSatisfying(
            SmokeTestFailedException.class,
            e -> {
              assertThat(e.failures()).extracting(o -> o.check().path()).containsExactly("/slow");
              assertThat(e.getMessage())
                  .startsWith("1 of 2 smoke checks still failing")
                  .contains("GET /slow expected a 2xx status; got no response (no answer within");
            });
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    assertThat(ticks.get()).as("ticks during a 1.5 s run").isGreaterThanOrEqualTo(1);
  }

  @Test
  void reportsTheConnectionErrorWhenNothingListens() {
    String base = "http://127.0.0.1:" + TestPorts.free();

    assertThatThrownBy(() -> checker.check(base, new SmokePlan(300, List.of(HEALTH), null), tick))
        .isInstanceOf(SmokeTestFailedException.class)
        .hasMessageContaining("GET /health expected status 200")
        .hasMessageContaining("got no response (ConnectException");
  }

  @FunctionalInterface
  private interface Handler {
    void handle(HttpExchange exchange, int requestNumber) throws IOException;
  }

  private String serve(Handler handler) throws IOException {
    int port = TestPorts.free();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    AtomicInteger requests = new AtomicInteger();
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            handler.handle(exchange, requests.incrementAndGet());
          }
        });
    server.start();
    return "http://127.0.0.1:" + port;
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
