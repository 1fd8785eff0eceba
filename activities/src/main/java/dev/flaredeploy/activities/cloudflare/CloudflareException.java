package dev.flaredeploy.activities.cloudflare;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Something the Cloudflare target could not do, with the failure type the activity reports ({@code
 * FailureTypes}) and whether a retry may help. Messages are already scrubbed of credentials and say what
 * was observed and what to do.
 */
public class CloudflareException extends RuntimeException {
  private final String failureType;
  private final boolean retryable;
  private final Duration retryAfter;

  public CloudflareException(String failureType, boolean retryable, String message) {
    this(failureType, retryable, message, null);
  }

  /** @param retryAfter how long Cloudflare asked to wait before a retry (a 429's Retry-After); null: no wish */
  public CloudflareException(String failureType, boolean retryable, String message, Duration retryAfter) {
    super(message);
    this.failureType = Objects.requireNonNull(failureType, "failureType");
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }

  public String failureType() {
    return failureType;
  }

  public boolean retryable() {
    return retryable;
  }

  /** How long Cloudflare asked to wait before the step is retried, if it said so. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
