package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One {@code [[notify]]} of flaredeploy.toml: where to post, named by an environment variable of the worker
 * (the webhook URL is a secret: it never enters Temporal, only this name does), which events, in which format.
 *
 * @param urlEnv the worker's environment variable that holds the webhook URL, e.g. {@code SLACK_WEBHOOK_URL}
 * @param events the events to send, from {@link #EVENTS}
 * @param format {@code slack} (a Slack incoming-webhook message) or {@code json} (flaredeploy's own document)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NotifyTarget(String urlEnv, List<String> events, String format) {
  public static final String WAITING_FOR_APPROVAL = "waiting_for_approval";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String ROLLED_BACK = "rolled_back";
  public static final String NEEDS_A_PERSON = "needs_a_person";
  public static final String CANCELLED = "cancelled";

  public static final List<String> EVENTS =
      List.of(WAITING_FOR_APPROVAL, SUCCEEDED, FAILED, ROLLED_BACK, NEEDS_A_PERSON, CANCELLED);
  public static final List<String> FORMATS = List.of("slack", "json");

  public NotifyTarget {
    events = events == null ? List.of() : List.copyOf(events);
  }

  public boolean wants(String event) {
    return events.contains(event);
  }
}
