package dev.flaredeploy.activities.cloudflare.api;

import dev.flaredeploy.activities.cloudflare.CloudflareException;
import java.util.List;

/**
 * A call to Cloudflare's API that did not succeed, typed for the activity ({@code FailureTypes}): refused
 * (4xx: a missing permission, an unknown database; not retryable), unavailable after the client's own
 * retries (429, 5xx, no connection: retryable), or with an unknown outcome (a 5xx or a lost connection on a
 * request that may have taken effect and is not safe to send twice: the caller looks before it retries).
 * The message names what the call was for and what to fix; it never holds the token (Cloudflare's own
 * words in it are scrubbed).
 */
public class CloudflareApiException extends CloudflareException {
  /** One entry of the envelope's {@code errors}. */
  public record ApiError(int code, String message) {}

  private final int status;
  private final List<ApiError> errors;
  private final boolean outcomeUnknown;

  CloudflareApiException(
      String failureType, boolean retryable, String message, int status, List<ApiError> errors,
      boolean outcomeUnknown) {
    this(failureType, retryable, message, status, errors, outcomeUnknown, null);
  }

  CloudflareApiException(
      String failureType, boolean retryable, String message, int status, List<ApiError> errors,
      boolean outcomeUnknown, java.time.Duration retryAfter) {
    super(failureType, retryable, message, retryAfter);
    this.status = status;
    this.errors = List.copyOf(errors);
    this.outcomeUnknown = outcomeUnknown;
  }

  /** The HTTP status Cloudflare answered, 0 when there was no answer. */
  public int status() {
    return status;
  }

  /** Cloudflare's errors from the response envelope (scrubbed), empty when it had none. */
  public List<ApiError> errors() {
    return errors;
  }

  /** True when Cloudflare answered with this API error code. */
  public boolean hasCode(int code) {
    return errors.stream().anyMatch(e -> e.code() == code);
  }

  /**
   * True when the request may or may not have taken effect (a 5xx or a lost connection while sending a
   * request that is not safe to repeat): look at the world before sending it again.
   */
  public boolean outcomeUnknown() {
    return outcomeUnknown;
  }
}
