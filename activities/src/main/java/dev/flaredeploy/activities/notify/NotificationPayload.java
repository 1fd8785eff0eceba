package dev.flaredeploy.activities.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flaredeploy.workflows.model.Notification;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The body posted for a notification: {@code json} is flaredeploy's own document (every field of the
 * notification but where it goes), {@code slack} a Slack incoming-webhook message ({@code {"text": …}}).
 */
public final class NotificationPayload {
  private static final ObjectMapper JSON = new ObjectMapper();

  private NotificationPayload() {}

  public static String body(Notification n) {
    Map<String, Object> doc = new LinkedHashMap<>();
    if ("slack".equals(n.target().format())) {
      doc.put("text", slackText(n));
    } else {
      doc.put("event", n.event());
      doc.put("key", n.key());
      doc.put("deployment", n.deploymentId());
      doc.put("runId", n.runId());
      doc.put("service", n.service());
      doc.put("environment", n.environment());
      doc.put("target", n.deploymentTarget());
      doc.put("state", n.state());
      doc.put("summary", n.summary());
      doc.put("digest", n.digest());
      doc.put("hint", n.hint());
    }
    try {
      return JSON.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String slackText(Notification n) {
    String title = switch (n.event()) {
      case "waiting_for_approval" -> ":hourglass: waiting for approval";
      case "succeeded" -> ":white_check_mark: succeeded";
      case "rolled_back" -> ":leftwards_arrow_with_hook: rolled back";
      case "needs_a_person" -> ":rotating_light: needs a person";
      case "cancelled" -> ":no_entry_sign: cancelled";
      default -> ":x: failed";
    };
    StringBuilder text = new StringBuilder("*" + n.service() + "* (" + n.environment() + ", " + n.deploymentTarget()
        + "): " + title + "\n" + n.summary());
    if (n.digest() != null) {
      text.append("\nplan digest `").append(n.digest()).append('`');
    }
    if (n.hint() != null) {
      text.append("\n`").append(n.hint()).append('`');
    }
    text.append("\n").append(n.deploymentId()).append(" run ").append(n.runId());
    return text.toString();
  }
}
