package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.workflows.FailureTypes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Cloudflare credentials of this worker process, read from its own environment: {@code
 * CLOUDFLARE_API_TOKEN}, {@code CLOUDFLARE_ACCOUNT_ID}, and {@code CLOUDFLARE_API_BASE_URL} (tests point it
 * at a recorder). They never enter a workflow input, result or failure; {@link #toString()} hides the token.
 */
public final class CloudflareCredentials {
  public static final String TOKEN = "CLOUDFLARE_API_TOKEN";
  public static final String ACCOUNT_ID = "CLOUDFLARE_ACCOUNT_ID";
  public static final String API_BASE_URL = "CLOUDFLARE_API_BASE_URL";

  /**
   * Other credentials wrangler would pick up from the inherited environment (legacy names, global API
   * key): never used by flaredeploy, but scrubbed like the token should wrangler print them.
   */
  private static final List<String> OTHER_SECRETS = List.of("CF_API_TOKEN", "CLOUDFLARE_API_KEY", "CF_API_KEY");

  private final String token;
  private final String accountId;
  private final String apiBaseUrl;
  private final List<String> otherSecrets;

  private CloudflareCredentials(String token, String accountId, String apiBaseUrl, List<String> otherSecrets) {
    this.token = token;
    this.accountId = accountId;
    this.apiBaseUrl = apiBaseUrl;
    this.otherSecrets = List.copyOf(otherSecrets);
  }

  /** Reads the variables above from {@code environment} (the worker's {@code System.getenv()}). */
  public static CloudflareCredentials from(Map<String, String> environment) {
    List<String> others = OTHER_SECRETS.stream()
        .map(name -> blankToNull(environment.get(name)))
        .filter(java.util.Objects::nonNull)
        .toList();
    return new CloudflareCredentials(
        blankToNull(environment.get(TOKEN)),
        blankToNull(environment.get(ACCOUNT_ID)),
        blankToNull(environment.get(API_BASE_URL)),
        others);
  }

  public boolean hasToken() {
    return token != null;
  }

  public Optional<String> accountId() {
    return Optional.ofNullable(accountId);
  }

  /**
   * @throws CloudflareException of type {@link FailureTypes#CREDENTIALS_MISSING} when there is no token
   */
  public void requireToken() {
    if (token == null) {
      throw new CloudflareException(FailureTypes.CREDENTIALS_MISSING, false,
          TOKEN + " is not set in the environment of the flaredeploy worker, so it cannot act on Cloudflare;"
              + " nothing was changed. Create an API token with Workers Scripts:Edit and D1:Edit (plus User →"
              + " Memberships:Read when " + ACCOUNT_ID + " is not set) and start the worker with " + TOKEN + " and "
              + ACCOUNT_ID + " set; without --address or TEMPORAL_ADDRESS the worker is the flaredeploy command"
              + " itself, so set them in its environment (see docs/cloudflare.md)");
    }
  }

  /** What wrangler gets on top of its usual environment; includes the token (never log this map). */
  Map<String, String> wranglerEnvironment() {
    Map<String, String> env = new HashMap<>();
    if (token != null) {
      env.put(TOKEN, token);
    }
    if (accountId != null) {
      env.put(ACCOUNT_ID, accountId);
    }
    if (apiBaseUrl != null) {
      env.put(API_BASE_URL, apiBaseUrl);
    }
    return env;
  }

  /** A scrubber for the values that must never leave the target. */
  SecretScrubber scrubber() {
    List<String> secrets = new java.util.ArrayList<>(otherSecrets);
    if (token != null) {
      secrets.add(token);
    }
    return new SecretScrubber(secrets);
  }

  @Override
  public String toString() {
    return "CloudflareCredentials[token=" + (token == null ? "unset" : SecretScrubber.MASK)
        + ", accountId=" + accountId + ", apiBaseUrl=" + apiBaseUrl + "]";
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }
}
