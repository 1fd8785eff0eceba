package dev.flaredeploy.worker;

/** The Temporal server did not answer. */
public class TemporalUnreachableException extends RuntimeException {
  public TemporalUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
