package dev.flaredeploy.activities.config;

import dev.flaredeploy.workflows.model.FreezeWindow;
import dev.flaredeploy.workflows.model.PolicySettings;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one {@code [policy]} table of flaredeploy.toml (the top level's or an {@code [env.NAME.policy]}):
 * {@code on_drift} and the pre-deploy policies. Strict, like the rest of the file: every problem names file,
 * line and key.
 *
 * <pre>
 * [policy]
 * on_drift = "fail"
 * branches = ["main", "release/*"]
 * clean_tree = true
 * required_secrets = ["API_KEY"]
 *
 * [[policy.freeze]]
 * name = "friday-afternoon"
 * reason = "no production deploys on Friday after 12:00 UTC"
 * days = ["friday"]
 * from = "12:00"
 * until = "24:00"
 * time_zone = "UTC"
 *
 * [[policy.freeze]]
 * name = "year-end"
 * start = 2025-12-20T00:00:00Z
 * end = 2026-01-05T00:00:00Z
 * </pre>
 */
final class PolicyConfigReader {
  static final List<String> KEYS = List.of("on_drift", "freeze", "branches", "clean_tree", "required_secrets");
  static final List<String> FREEZE_KEYS =
      List.of("name", "reason", "days", "from", "until", "time_zone", "start", "end");
  static final List<String> DRIFT_POLICIES = List.of("fail", "warn");
  static final String DEFAULT_TIME_ZONE = "UTC";

  private static final Pattern TIME = Pattern.compile("([01][0-9]|2[0-4]):([0-5][0-9])");
  private static final Pattern NAME = Pattern.compile("[^\\s]+");

  private PolicyConfigReader() {}

  /** What one {@code [policy]} table sets; null where it says nothing. */
  record Section(
      String onDrift, List<FreezeWindow> freeze, List<String> branches, Boolean cleanTree,
      List<String> requiredSecrets) {

    static final Section NONE = new Section(null, null, null, null, null);

    /** {@code env} overrides this key by key; a {@code freeze} list replaces the whole list. */
    Section overriddenBy(Section env) {
      return new Section(
          env.onDrift != null ? env.onDrift : onDrift,
          env.freeze != null ? env.freeze : freeze,
          env.branches != null ? env.branches : branches,
          env.cleanTree != null ? env.cleanTree : cleanTree,
          env.requiredSecrets != null ? env.requiredSecrets : requiredSecrets);
    }

    /** The policies with defaults: no freeze, any branch, a dirty tree allowed, no secrets required. */
    PolicySettings settings() {
      return new PolicySettings(
          freeze != null ? freeze : List.of(),
          branches,
          cleanTree != null && cleanTree,
          requiredSecrets != null ? requiredSecrets : List.of(),
          List.of());
    }
  }

  static Section read(ConfigTable policy) {
    policy.rejectUnknownKeys(KEYS);
    String onDrift = policy.string("on_drift").map(value -> {
      if (!DRIFT_POLICIES.contains(value.value())) {
        throw value.error("expected \"fail\" or \"warn\", got " + ConfigNode.quote(value.value()));
      }
      return value.value();
    }).orElse(null);
    List<FreezeWindow> freeze = policy.tables("freeze").map(PolicyConfigReader::freezeWindows).orElse(null);
    List<String> branches = policy.strings("branches").map(values -> {
      if (values.isEmpty()) {
        throw policy.error("branches", "expected at least one branch or pattern; to allow every branch "
            + "write [\"**\"] or remove the key");
      }
      return names(values, "a branch name or pattern such as \"main\" or \"release/*\"");
    }).orElse(null);
    Boolean cleanTree = policy.bool("clean_tree").map(ConfigValue::value).orElse(null);
    List<String> secrets = policy.strings("required_secrets")
        .map(values -> names(values, "a secret name such as \"API_KEY\""))
        .orElse(null);
    return new Section(onDrift, freeze, branches, cleanTree, secrets);
  }

  private static List<String> names(List<ConfigValue<String>> values, String expected) {
    Set<String> names = new LinkedHashSet<>();
    for (ConfigValue<String> value : values) {
      if (!NAME.matcher(value.value()).matches()) {
        throw value.error("expected " + expected + " (not empty, no spaces), got " + ConfigNode.quote(value.value()));
      }
      if (!names.add(value.value())) {
        throw value.error(ConfigNode.quote(value.value()) + " is listed twice; list each once");
      }
    }
    return List.copyOf(names);
  }

  private static List<FreezeWindow> freezeWindows(List<ConfigTable> tables) {
    List<FreezeWindow> windows = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigTable window : tables) {
      FreezeWindow read = freezeWindow(window);
      if (!names.add(read.name())) {
        throw window.error("name", "another freeze window is named " + ConfigNode.quote(read.name())
            + "; give each window its own name");
      }
      windows.add(read);
    }
    return List.copyOf(windows);
  }

  private static FreezeWindow freezeWindow(ConfigTable window) {
    window.rejectUnknownKeys(FREEZE_KEYS);
    String name = window.string("name")
        .orElseThrow(() -> window.error("name", "missing; every freeze window needs a name that messages and "
            + "--override use, e.g. name = \"friday-afternoon\""))
        .value();
    if (name.isBlank()) {
      throw window.error("name", "expected a name, got an empty string");
    }
    String reason = window.string("reason").map(ConfigValue::value).filter(r -> !r.isBlank()).orElse(null);
    ZoneId zone = window.string("time_zone").map(PolicyConfigReader::zone).orElse(ZoneId.of(DEFAULT_TIME_ZONE));
    boolean weekly = window.has("days");
    boolean dated = window.has("start") || window.has("end");
    if (weekly && dated) {
      throw window.error(window.has("start") ? "start" : "end", "a freeze window is either weekly (days, from, "
          + "until) or dated (start, end), not both; split it into two windows");
    }
    if (!weekly && !dated) {
      throw window.error("missing when it applies: give days (with from and until) for a weekly window, "
          + "or start and end for a dated one");
    }
    if (weekly) {
      List<String> days = days(window);
      String from = window.string("from").map(v -> time(v, false)).orElse("00:00");
      String until = window.string("until").map(v -> time(v, true)).orElse("24:00");
      if (from.equals(until)) {
        throw window.error("until", "the window would be empty: from and until are both " + from
            + "; for whole days write from = \"00:00\", until = \"24:00\" (the default)");
      }
      return new FreezeWindow(name, reason, days, from, until, zone.getId(), null, null);
    }
    for (String key : List.of("from", "until")) {
      if (window.has(key)) {
        throw window.error(key, "only for a weekly window (with days); a dated window has start and end");
      }
    }
    ConfigValue<Object> startValue = window.value("start")
        .orElseThrow(() -> window.error("start", "missing; a dated window needs start and end"));
    ConfigValue<Object> endValue = window.value("end")
        .orElseThrow(() -> window.error("end", "missing; a dated window needs start and end"));
    Instant start = instant(startValue, zone);
    Instant end = instant(endValue, zone);
    if (!end.isAfter(start)) {
      throw endValue.error("the window ends (" + end + ") before it starts (" + start + "); end must be after start");
    }
    return new FreezeWindow(name, reason, null, null, null, zone.getId(), start.toString(), end.toString());
  }

  private static List<String> days(ConfigTable window) {
    List<ConfigValue<String>> values = window.strings("days").orElseThrow();
    if (values.isEmpty()) {
      throw window.error("days", "expected at least one day such as \"friday\"");
    }
    List<String> allowed = new ArrayList<>();
    for (DayOfWeek day : DayOfWeek.values()) {
      allowed.add(day.name().toLowerCase(Locale.ROOT));
    }
    Set<String> days = new LinkedHashSet<>();
    for (ConfigValue<String> value : values) {
      String day = value.value().toLowerCase(Locale.ROOT);
      if (!allowed.contains(day)) {
        String suggestion = Suggestions.nearest(day, allowed).map(s -> "did you mean \"" + s + "\"? ").orElse("");
        throw value.error("expected a day of the week written out in English, got " + ConfigNode.quote(value.value())
            + "; " + suggestion + "allowed: " + String.join(", ", allowed));
      }
      if (!days.add(day)) {
        throw value.error(ConfigNode.quote(value.value()) + " is listed twice; list each day once");
      }
    }
    return List.copyOf(days);
  }

  /** {@code HH:MM}, 00:00 to 23:59, and 24:00 for {@code until} (the end of the day). */
  private static String time(ConfigValue<String> value, boolean until) {
    var m = TIME.matcher(value.value());
    boolean valid = m.matches() && (Integer.parseInt(m.group(1)) < 24 || (until && m.group(2).equals("00")));
    if (!valid) {
      throw value.error("expected a time of day as \"HH:MM\" (24-hour clock, 00:00 to "
          + (until ? "24:00" : "23:59") + "), got " + ConfigNode.quote(value.value()));
    }
    return value.value();
  }

  private static ZoneId zone(ConfigValue<String> value) {
    try {
      return ZoneId.of(value.value());
    } catch (DateTimeException e) {
      throw value.error("expected a time zone id such as \"UTC\", \"Europe/Berlin\" or \"America/New_York\", "
          + "got " + ConfigNode.quote(value.value()));
    }
  }

  /**
   * A TOML offset date-time ({@code 2025-12-20T00:00:00Z}), a local date-time or a local date (in the
   * window's time zone; a date means its start), or the same written as a string.
   */
  private static Instant instant(ConfigValue<Object> value, ZoneId zone) {
    Object raw = value.value();
    if (raw instanceof OffsetDateTime odt) {
      return odt.toInstant();
    }
    if (raw instanceof LocalDateTime ldt) {
      return ldt.atZone(zone).toInstant();
    }
    if (raw instanceof LocalDate date) {
      return date.atStartOfDay(zone).toInstant();
    }
    String expected = "expected a date-time such as 2025-12-20T00:00:00Z, or a date such as 2025-12-20 (in "
        + "time_zone, default UTC)";
    if (raw instanceof String s) {
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException notOffset) {
        try {
          return LocalDateTime.parse(s).atZone(zone).toInstant();
        } catch (DateTimeParseException notLocal) {
          try {
            return LocalDate.parse(s).atStartOfDay(zone).toInstant();
          } catch (DateTimeParseException notDate) {
            throw value.error(expected + ", got " + ConfigNode.quote(s));
          }
        }
      }
    }
    throw value.error(expected + ", got " + new ConfigNode(raw, value.line()).describe(ConfigSyntax.TOML));
  }
}
