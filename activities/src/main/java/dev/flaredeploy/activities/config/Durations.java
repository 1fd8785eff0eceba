package dev.flaredeploy.activities.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as written in {@code flaredeploy.toml}: a whole number and a unit, {@code <n>ms}, {@code <n>s},
 * {@code <n>m} or {@code <n>h} ({@code "500ms"}, {@code "30s"}, {@code "2m"}, {@code "1h"}), greater than 0.
 */
public final class Durations {
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  /** What a duration looks like, for messages: {@code expected <this>, got …}. */
  public static final String EXPECTED = "a duration such as \"30s\" (<n>ms, <n>s, <n>m or <n>h)";

  private Durations() {}

  /**
   * @return the duration in milliseconds
   * @throws IllegalArgumentException saying what is wrong with {@code text}, fit to follow "got …"
   */
  public static long parseMillis(String text) {
    Matcher matcher = DURATION.matcher(text);
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "expected " + EXPECTED + ", got " + ConfigNode.quote(text));
    }
    long unit =
        switch (matcher.group(2)) {
          case "ms" -> 1L;
          case "s" -> 1_000L;
          case "m" -> 60_000L;
          default -> 3_600_000L;
        };
    long millis;
    try {
      millis = Math.multiplyExact(Long.parseLong(matcher.group(1)), unit);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("duration " + ConfigNode.quote(text) + " is too long");
    }
    if (millis == 0) {
      throw new IllegalArgumentException(
          "expected a duration greater than 0, got " + ConfigNode.quote(text));
    }
    return millis;
  }
}
