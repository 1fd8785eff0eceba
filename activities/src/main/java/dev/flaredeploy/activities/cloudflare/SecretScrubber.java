package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.activities.process.ProcessResult;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from text before it leaves the Cloudflare target: the values it was given (the API
 * token) wherever they appear, and whatever follows {@code Bearer }. Every wrangler result of the target
 * passes through here, so stdout, stderr, output-file events and every message built from them are clean.
 */
public final class SecretScrubber {
  /** What a secret is replaced with. */
  public static final String MASK = "***";

  /** RFC 6750's b64token after {@code Bearer}. */
  private static final Pattern BEARER = Pattern.compile("(?i)(\\bBearer\\s+)[A-Za-z0-9._~+/-]+=*");
  /** Shorter values would mask ordinary words; no Cloudflare token is this short. */
  private static final int MIN_SECRET_LENGTH = 8;

  private final List<String> secrets;

  /** @param secrets values to remove; null, blank and very short ones are ignored */
  public SecretScrubber(Collection<String> secrets) {
    this.secrets = secrets.stream()
        .filter(Objects::nonNull)
        .map(String::trim)
        .filter(s -> s.length() >= MIN_SECRET_LENGTH)
        .distinct()
        .sorted(Comparator.comparingInt(String::length).reversed()) // a secret inside another goes second
        .toList();
  }

  public String scrub(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String clean = text;
    for (String secret : secrets) {
      clean = clean.replace(secret, MASK);
    }
    return BEARER.matcher(clean).replaceAll("$1" + Matcher.quoteReplacement(MASK));
  }

  public ProcessResult scrub(ProcessResult result) {
    return new ProcessResult(result.exitCode(), scrub(result.stdout()), scrub(result.stderr()));
  }
}
