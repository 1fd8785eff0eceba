package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One deployment freeze window of {@code [[policy.freeze]]}: either weekly ({@code days} set; {@code from}
 * until {@code until} on each of those days in {@code timeZone}, running into the next day when {@code until}
 * is not after {@code from}) or dated ({@code start} and {@code end} set: instants, end exclusive).
 *
 * @param name names the window in messages; unique in its list
 * @param reason why the window exists, shown to the user; may be null
 * @param days lowercase English day names ({@code "friday"}), or null for a dated window
 * @param from {@code HH:MM} the window starts on each day (weekly only)
 * @param until {@code HH:MM} (up to {@code 24:00}) the window ends (weekly only)
 * @param timeZone a time zone id ({@code UTC}, {@code Europe/Berlin}) the weekly times are in
 * @param start ISO-8601 instant the dated window starts (inclusive), or null for a weekly window
 * @param end ISO-8601 instant the dated window ends (exclusive), or null for a weekly window
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FreezeWindow(
    String name,
    String reason,
    List<String> days,
    String from,
    String until,
    String timeZone,
    String start,
    String end) {

  public boolean weekly() {
    return days != null;
  }
}
