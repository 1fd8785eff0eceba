package dev.flaredeploy.activities.source;

/** The source cannot be pinned or is no longer what was pinned; a retry cannot fix it. */
public class SourceException extends RuntimeException {
  public SourceException(String message) {
    super(message);
  }
}
