package dev.flaredeploy.activities.cloudflare;

import java.util.Objects;

/**
 * Something the Cloudflare target could not do, with the failure type the activity reports ({@code
 * FailureTypes}) and whether a retry may help. Messages are already scrubbed of credentials and say what
 * was observed and what to do.
 */
public class CloudflareException extends RuntimeException {
  private final String failureType;
  private final boolean retryable;

  public CloudflareException(String failureType, boolean retryable, String message) {
    super(message);
    this.failureType = Objects.requireNonNull(failureType, "failureType");
    this.retryable = retryable;
  }

  public String failureType() {
    return failureType;
  }

  public boolean retryable() {
    return retryable;
  }
}
