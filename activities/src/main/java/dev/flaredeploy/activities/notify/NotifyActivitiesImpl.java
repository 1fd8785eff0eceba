package dev.flaredeploy.activities.notify;

import dev.flaredeploy.workflows.NotifyActivities;
import dev.flaredeploy.workflows.model.Notification;
import dev.flaredeploy.workflows.model.NotifyOutcome;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Posts a notification to the webhook whose URL is in the worker's environment variable the notification
 * names. Three tries at most (a 5xx, 429, a timeout or a refused connection is tried again after 1 s, then 2 s),
 * 5 s per request: never more than about 20 s. Never throws: what could not be delivered is a warning that names
 * the variable and what happened, never the URL.
 */
public class NotifyActivitiesImpl implements NotifyActivities {
  static final int TRIES = 3;
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private final Map<String, String> environment;
  private final HttpClient http;
  private final Duration backoff;

  /** @param environment the worker's environment, where the webhook URLs are */
  public NotifyActivitiesImpl(Map<String, String> environment) {
    this(environment, HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build(), Duration.ofSeconds(1));
  }

  NotifyActivitiesImpl(Map<String, String> environment, HttpClient http, Duration backoff) {
    this.environment = Map.copyOf(environment);
    this.http = http;
    this.backoff = backoff;
  }

  @Override
  public NotifyOutcome notify(Notification notification) {
    String variable = notification.target().urlEnv();
    String what = notification.event() + " notification to $" + variable;
    String url = environment.get(variable);
    if (url == null || url.isBlank()) {
      return new NotifyOutcome(false, what + " was not sent: " + variable + " is not set in the worker's "
          + "environment (set it where `flaredeploy worker` runs)");
    }
    URI uri;
    try {
      uri = URI.create(url.strip());
      if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      return new NotifyOutcome(false, what + " was not sent: " + variable + " does not hold an http(s) URL");
    }
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(REQUEST_TIMEOUT)
        .header("content-type", "application/json")
        .header("idempotency-key", notification.key())
        .POST(HttpRequest.BodyPublishers.ofString(NotificationPayload.body(notification), StandardCharsets.UTF_8))
        .build();
    String last = "";
    for (int attempt = 1; attempt <= TRIES; attempt++) {
      try {
        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          return new NotifyOutcome(true, null);
        }
        last = "the webhook answered " + status;
        if (status < 500 && status != 429) {
          break; // the receiver refused it: another try gets the same answer
        }
      } catch (IOException e) {
        last = "the webhook could not be reached (" + e.getClass().getSimpleName() + ")";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        last = "interrupted";
        break;
      }
      if (attempt < TRIES) {
        sleep(backoff.multipliedBy(attempt));
      }
    }
    return new NotifyOutcome(false, what + " was not delivered: " + last);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
