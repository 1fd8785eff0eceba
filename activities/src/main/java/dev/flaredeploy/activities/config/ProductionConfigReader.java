package dev.flaredeploy.activities.config;

import dev.flaredeploy.workflows.model.ApprovalSettings;
import dev.flaredeploy.workflows.model.NotifyTarget;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the production controls of one section of flaredeploy.toml (the top level's or an {@code [env.NAME]}):
 * {@code [approval]} and {@code [[notify]]}. Strict, like the rest of the file: every problem names file, line
 * and key, and nothing starts.
 *
 * <pre>
 * [approval]
 * required = true
 * timeout = "24h"
 * approvers = ["ada", "grace@build-host"]
 *
 * [[notify]]
 * url_env = "SLACK_WEBHOOK_URL"
 * events = ["waiting_for_approval", "failed", "rolled_back", "needs_a_person"]
 * format = "slack"
 * </pre>
 */
final class ProductionConfigReader {
  static final List<String> APPROVAL_KEYS = List.of("required", "timeout", "approvers");
  static final List<String> NOTIFY_KEYS = List.of("url_env", "events", "format");
  static final String DEFAULT_FORMAT = "json";

  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern URL = Pattern.compile("(?i)^\\s*[a-z][a-z0-9+.-]*://.*");
  private static final Pattern APPROVER = Pattern.compile("[^\\s@]+(@[^\\s@]+)?");

  private ProductionConfigReader() {}

  /** What one {@code [approval]} sets; null where it says nothing. */
  record Approval(Boolean required, Long timeoutMillis, List<String> approvers) {
    static final Approval NONE = new Approval(null, null, null);

    Approval overriddenBy(Approval env) {
      return new Approval(
          env.required != null ? env.required : required,
          env.timeoutMillis != null ? env.timeoutMillis : timeoutMillis,
          env.approvers != null ? env.approvers : approvers);
    }

    /** Null when no approval is configured (or {@code required = false} and nothing else). */
    ApprovalSettings settings() {
      if (required == null && timeoutMillis == null && approvers == null) {
        return null;
      }
      return new ApprovalSettings(required == null || required,
          timeoutMillis != null ? timeoutMillis : ApprovalSettings.DEFAULT_TIMEOUT_MILLIS,
          approvers != null ? approvers : List.of());
    }
  }

  static Approval approval(ConfigTable approval) {
    approval.rejectUnknownKeys(APPROVAL_KEYS);
    Boolean required = approval.bool("required").map(ConfigValue::value).orElse(null);
    Long timeout = approval.string("timeout", Durations.EXPECTED).map(value -> {
      try {
        return Durations.parseMillis(value.value());
      } catch (IllegalArgumentException e) {
        throw value.error(e.getMessage());
      }
    }).orElse(null);
    List<String> approvers = approval.strings("approvers").map(values -> {
      Set<String> names = new LinkedHashSet<>();
      for (ConfigValue<String> value : values) {
        if (!APPROVER.matcher(value.value()).matches()) {
          throw value.error("expected a user name, or user@host, as `flaredeploy approve` names whoever runs it "
              + "(no spaces), got " + ConfigNode.quote(value.value()));
        }
        if (!names.add(value.value())) {
          throw value.error(ConfigNode.quote(value.value()) + " is listed twice; list each approver once");
        }
      }
      if (names.isEmpty()) {
        throw approval.error("approvers", "expected at least one approver; remove the key to let anyone approve");
      }
      return List.copyOf(names);
    }).orElse(null);
    return new Approval(required, timeout, approvers);
  }

  /** {@code [[notify]]}: url_env (required, a variable name, never a URL), events (default all), format. */
  static List<NotifyTarget> notifications(List<ConfigTable> tables) {
    List<NotifyTarget> targets = new ArrayList<>();
    for (ConfigTable notify : tables) {
      for (String key : notify.keys()) {
        if (!NOTIFY_KEYS.contains(key) && notify.string(key).map(v -> URL.matcher(v.value()).matches()).orElse(false)) {
          throw notify.error(key, "a webhook URL is a secret and does not belong in flaredeploy.toml (it would be "
              + "committed, and end up in Temporal's history): put it in an environment variable of the worker and "
              + "name the variable, e.g. url_env = \"SLACK_WEBHOOK_URL\"");
        }
      }
      notify.rejectUnknownKeys(NOTIFY_KEYS);
      ConfigValue<String> urlEnv = notify.string("url_env").orElseThrow(() -> notify.error("url_env",
          "missing; name the environment variable of the worker that holds the webhook URL, e.g. url_env = "
              + "\"SLACK_WEBHOOK_URL\" (the URL itself never goes in this file)"));
      if (URL.matcher(urlEnv.value()).matches()) {
        throw urlEnv.error("expected the name of an environment variable, got a URL; a webhook URL is a secret: put "
            + "it in an environment variable of the worker (e.g. SLACK_WEBHOOK_URL) and write url_env = "
            + "\"SLACK_WEBHOOK_URL\"");
      }
      if (!VARIABLE.matcher(urlEnv.value()).matches()) {
        throw urlEnv.error("expected the name of an environment variable (letters, digits and _), e.g. "
            + "\"SLACK_WEBHOOK_URL\", got " + ConfigNode.quote(urlEnv.value()));
      }
      List<String> events = notify.strings("events").map(ProductionConfigReader::events).orElse(NotifyTarget.EVENTS);
      if (events.isEmpty()) {
        throw notify.error("events", "expected at least one event: " + String.join(", ", NotifyTarget.EVENTS)
            + "; remove the key for all of them");
      }
      String format = notify.string("format").map(value -> {
        String f = value.value().toLowerCase(Locale.ROOT);
        if (!NotifyTarget.FORMATS.contains(f)) {
          throw value.error("expected \"slack\" or \"json\", got " + ConfigNode.quote(value.value()));
        }
        return f;
      }).orElse(DEFAULT_FORMAT);
      targets.add(new NotifyTarget(urlEnv.value(), events, format));
    }
    return List.copyOf(targets);
  }

  private static List<String> events(List<ConfigValue<String>> values) {
    Set<String> events = new LinkedHashSet<>();
    for (ConfigValue<String> value : values) {
      if (!NotifyTarget.EVENTS.contains(value.value())) {
        String suggestion = Suggestions.nearest(value.value(), NotifyTarget.EVENTS)
            .map(s -> "did you mean \"" + s + "\"? ").orElse("");
        throw value.error("unknown event " + ConfigNode.quote(value.value()) + "; " + suggestion + "expected any of "
            + String.join(", ", NotifyTarget.EVENTS));
      }
      if (!events.add(value.value())) {
        throw value.error(ConfigNode.quote(value.value()) + " is listed twice; list each event once");
      }
    }
    return List.copyOf(events);
  }
}
