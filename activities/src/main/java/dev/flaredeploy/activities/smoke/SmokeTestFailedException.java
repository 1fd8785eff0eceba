package dev.flaredeploy.activities.smoke;

import java.util.List;

/**
 * The smoke checks did not all pass in one round before the smoke timeout. The message names each
 * failing check with what it last observed (status and body excerpt, or the connection error).
 */
public class SmokeTestFailedException extends RuntimeException {
  private final List<CheckObservation> failures;
  private final int rounds;

  public SmokeTestFailedException(String message, List<CheckObservation> failures, int rounds) {
    super(message);
    this.failures = List.copyOf(failures);
    this.rounds = rounds;
  }

  /** The checks that failed in the last round, with what they observed. */
  public List<CheckObservation> failures() {
    return failures;
  }

  public int rounds() {
    return rounds;
  }
}
