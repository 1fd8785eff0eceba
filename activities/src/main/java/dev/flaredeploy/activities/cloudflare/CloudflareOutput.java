package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.activities.process.WranglerOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what wrangler 4.86 prints for the commands the Cloudflare target still runs through it (deploy,
 * versions upload and deploy, rollback, d1 export; shared notes on wrangler §2, §4). Pure: no processes, no
 * files. Input is expected with ANSI escapes removed.
 */
final class CloudflareOutput {
  /** A version preview URL: {@code https://<first 8 of the version id>-<worker>.<subdomain>.workers.dev}. */
  private static final Pattern PREVIEW_URL = Pattern.compile("https://[0-9a-f]{8}-(.+)$");

  private CloudflareOutput() {}

  /**
   * The Worker's workers.dev URL, from the preview URL wrangler reported for one of its versions: {@code
   * https://1a2b3c4d-hello.acme.workers.dev} → {@code https://hello.acme.workers.dev}.
   */
  static Optional<String> workersDevUrl(String previewUrl, String workerName) {
    if (previewUrl == null) {
      return Optional.empty();
    }
    Matcher matcher = PREVIEW_URL.matcher(previewUrl.trim());
    if (!matcher.matches() || !matcher.group(1).startsWith(workerName + ".")) {
      return Optional.empty();
    }
    return Optional.of("https://" + matcher.group(1));
  }

  /**
   * What wrangler had to say when a command failed: the JSON error on stdout ({@code --json} commands),
   * else its {@code ✘ [ERROR]} lines and what follows them on stderr, else the tail of its output.
   */
  static String complaint(String stdout, String stderr) {
    return executeError(stdout).orElseGet(() -> WranglerOutput.errorTail(stdout, stderr));
  }

  /**
   * The error of a failed {@code --json} command, printed on stdout as {@code {"error":{"text":…,
   * "notes":[{"text":…}]}}}; on remote the API's message is in the notes, which come first here.
   */
  static Optional<String> executeError(String stdout) {
    return WranglerOutput.json(stdout)
        .map(node -> node.path("error"))
        .filter(com.fasterxml.jackson.databind.JsonNode::isObject)
        .map(error -> {
          List<String> parts = new ArrayList<>();
          error.path("notes").forEach(note -> parts.add(note.path("text").asText("")));
          parts.add(error.path("text").asText(""));
          return String.join("\n", parts.stream().filter(p -> !p.isBlank()).toList()).trim();
        })
        .filter(text -> !text.isEmpty());
  }
}
