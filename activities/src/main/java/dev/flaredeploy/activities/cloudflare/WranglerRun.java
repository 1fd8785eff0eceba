package dev.flaredeploy.activities.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flaredeploy.activities.process.ProcessResult;
import java.util.List;
import java.util.Optional;

/**
 * One finished wrangler command of the Cloudflare target, already scrubbed of credentials.
 *
 * @param args the arguments after {@code wrangler} (no secrets are ever passed as arguments)
 * @param result exit code, stdout and stderr (ANSI removed)
 * @param events the lines wrangler appended to its ND-JSON output file ({@code WRANGLER_OUTPUT_FILE_PATH}),
 *     a fresh file per command, in order
 */
record WranglerRun(List<String> args, ProcessResult result, List<JsonNode> events) {
  WranglerRun {
    args = List.copyOf(args);
    events = List.copyOf(events);
  }

  boolean succeeded() {
    return result.succeeded();
  }

  String stdout() {
    return result.stdout();
  }

  String stderr() {
    return result.stderr();
  }

  /** The last output-file event of {@code type} (e.g. {@code version-upload}). */
  Optional<JsonNode> event(String type) {
    Optional<JsonNode> found = Optional.empty();
    for (JsonNode event : events) {
      if (type.equals(event.path("type").asText())) {
        found = Optional.of(event);
      }
    }
    return found;
  }

  /** The Cloudflare API error code of a failed command ({@code command-failed} event), if it had one. */
  Optional<Integer> errorCode() {
    return event("command-failed")
        .map(e -> e.path("code"))
        .filter(JsonNode::canConvertToInt)
        .map(JsonNode::asInt);
  }

  /** {@code wrangler d1 execute} and the like: the first two or three words, for messages. */
  String command() {
    int words = args.size() > 2 && args.get(0).equals("d1") ? 3 : 2;
    return "wrangler " + String.join(" ", args.subList(0, Math.min(words, args.size())));
  }

  /** What wrangler said about a failure, for a message (see {@link CloudflareOutput#complaint}). */
  String complaint() {
    return CloudflareOutput.complaint(result.stdout(), result.stderr());
  }
}
