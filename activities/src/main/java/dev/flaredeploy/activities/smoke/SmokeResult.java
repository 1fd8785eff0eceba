package dev.flaredeploy.activities.smoke;

import java.util.List;

/**
 * Smoke checks that all passed in one round.
 *
 * @param detail one line, e.g. {@code 1 check passed: GET /health 200 in 12 ms}
 * @param rounds how many rounds it took (1 when everything passed at once)
 * @param observations the passing round
 */
public record SmokeResult(String detail, int rounds, List<CheckObservation> observations) {}
