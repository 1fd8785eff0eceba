package dev.flaredeploy.cli.client;

import java.util.List;

/**
 * One step (or compensation) of a run, read from its Temporal history.
 *
 * @param failures what each failed attempt said, oldest first
 */
public record HistoryEntry(
    String step,
    boolean compensation,
    String state,
    int attempts,
    String scheduledAt,
    String closedAt,
    String summary,
    List<String> failures) {}
