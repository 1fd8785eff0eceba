package dev.flaredeploy.activities.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.flaredeploy.workflows.model.Notification;
import dev.flaredeploy.workflows.model.NotifyOutcome;
import dev.flaredeploy.workflows.model.NotifyTarget;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Posting to a loopback webhook: formats, bounded retries, and warnings that never name the URL. */
class NotifyActivitiesImplTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private HttpServer receiver;
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final AtomicInteger status = new AtomicInteger(200);
  private String url;

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook/secret-token-123", exchange -> {
      bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(status.get(), -1);
      exchange.close();
    });
    receiver.start();
    url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook/secret-token-123";
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  @Test
  void postsFlaredeploysOwnJsonDocumentOnce() throws Exception {
    NotifyOutcome outcome = activities().notify(notification("json"));

    assertThat(outcome.delivered()).isTrue();
    assertThat(bodies).hasSize(1);
    JsonNode doc = JSON.readTree(bodies.get(0));
    assertThat(doc.get("event").asText()).isEqualTo("waiting_for_approval");
    assertThat(doc.get("digest").asText()).isEqualTo("0123456789abcdef");
    assertThat(doc.get("deployment").asText()).isEqualTo("deploy:local:shop:production");
    assertThat(bodies.get(0)).doesNotContain("secret-token-123");
  }

  @Test
  void postsASlackMessage() throws Exception {
    activities().notify(notification("slack"));

    JsonNode doc = JSON.readTree(bodies.get(0));
    assertThat(doc.fieldNames()).toIterable().containsExactly("text");
    assertThat(doc.get("text").asText()).contains("*shop* (production, local): :hourglass: waiting for approval",
        "`0123456789abcdef`", "flaredeploy approve");
  }

  @Test
  void aReceiverThatKeepsAnswering500IsTriedThreeTimesThenAWarningWithoutTheUrl() {
    status.set(500);

    NotifyOutcome outcome = activities().notify(notification("json"));

    assertThat(outcome.delivered()).isFalse();
    assertThat(bodies).hasSize(NotifyActivitiesImpl.TRIES);
    assertThat(outcome.warning()).isEqualTo(
        "waiting_for_approval notification to $HOOK was not delivered: the webhook answered 500")
        .doesNotContain("secret-token-123").doesNotContain("127.0.0.1");
  }

  @Test
  void aRefusalIsNotRetriedAndAnUnsetVariableOrAnUnreachableReceiverIsAWarning() {
    status.set(404);
    assertThat(activities().notify(notification("json")).warning()).endsWith("the webhook answered 404");
    assertThat(bodies).hasSize(1);

    NotifyOutcome unset = new NotifyActivitiesImpl(Map.of(), HttpClient.newHttpClient(), Duration.ofMillis(1))
        .notify(notification("json"));
    assertThat(unset.warning()).contains("HOOK is not set in the worker's environment");

    receiver.stop(0);
    NotifyOutcome unreachable = activities().notify(notification("json"));
    assertThat(unreachable.delivered()).isFalse();
    assertThat(unreachable.warning()).contains("could not be reached").doesNotContain("secret-token-123");
  }

  private NotifyActivitiesImpl activities() {
    return new NotifyActivitiesImpl(Map.of("HOOK", url), HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(2)).build(), Duration.ofMillis(10));
  }

  private static Notification notification(String format) {
    return new Notification(new NotifyTarget("HOOK", NotifyTarget.EVENTS, format), "deploy:local:shop:production/r1/"
        + "waiting_for_approval", "waiting_for_approval", "deploy:local:shop:production", "r1", "shop", "production",
        "local", "WAITING_FOR_APPROVAL", "waiting for approval of plan 0123456789abcdef", "0123456789abcdef",
        "flaredeploy approve deploy:local:shop:production --digest 0123456789abcdef");
  }
}
