package dev.flaredeploy.activities.local;

/**
 * The local release could not be started or stopped. {@link #failureType()} is one of {@code
 * FailureTypes}; the message says what was observed and what to do.
 */
public class LocalReleaseException extends RuntimeException {
  private final String failureType;

  public LocalReleaseException(String failureType, String message) {
    super(message);
    this.failureType = failureType;
  }

  public LocalReleaseException(String failureType, String message, Throwable cause) {
    super(message, cause);
    this.failureType = failureType;
  }

  public String failureType() {
    return failureType;
  }
}
