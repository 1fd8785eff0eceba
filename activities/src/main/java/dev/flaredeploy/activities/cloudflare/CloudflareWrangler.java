package dev.flaredeploy.activities.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flaredeploy.activities.local.LocalWorkspace;
import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.Wrangler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs wrangler for the Cloudflare target: the worker's credentials in its environment, a fresh ND-JSON
 * output file ({@code WRANGLER_OUTPUT_FILE_PATH}, appended to by wrangler, so never reused) and a fresh
 * cache ({@code WRANGLER_CACHE_DIR}, so an account id cached by an earlier command is never used) per
 * command, and every result scrubbed of credentials before anyone sees it.
 */
final class CloudflareWrangler {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Wrangler wrangler;
  private final CloudflareCredentials credentials;
  private final SecretScrubber scrubber;
  private final Duration timeout;

  CloudflareWrangler(Wrangler wrangler, CloudflareCredentials credentials, Duration timeout) {
    this.wrangler = wrangler;
    this.credentials = credentials;
    this.scrubber = credentials.scrubber();
    this.timeout = timeout;
  }

  SecretScrubber scrubber() {
    return scrubber;
  }

  /** Runs {@code wrangler <args>} in {@code workdir}; requires the token first. */
  WranglerRun run(Path workdir, List<String> args, ProcessRunner.Tick tick) {
    credentials.requireToken();
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("flaredeploy-wrangler-");
      Path output = scratch.resolve("output.ndjson");
      Map<String, String> env = credentials.wranglerEnvironment();
      env.put("WRANGLER_OUTPUT_FILE_PATH", output.toString());
      env.put("WRANGLER_CACHE_DIR", scratch.resolve("cache").toString());
      ProcessResult result = scrubber.scrub(wrangler.run(args, workdir, env, timeout, tick));
      List<JsonNode> events = events(output);
      scrubLogFile(events);
      return new WranglerRun(args, result, events);
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare a scratch directory for wrangler", e);
    } finally {
      if (scratch != null) {
        try {
          LocalWorkspace.deleteTree(scratch);
        } catch (IOException ignored) {
          // a leftover scratch dir in the temp directory holds no secrets: wrangler writes none there
        }
      }
    }
  }

  /**
   * wrangler's debug log of this command (named by the {@code wrangler-session} event) records API errors
   * verbatim; it never holds the token unless something echoed it, and then it is scrubbed in place.
   */
  private void scrubLogFile(List<JsonNode> events) {
    for (JsonNode event : events) {
      String path = event.path("log_file_path").asText("");
      if (!"wrangler-session".equals(event.path("type").asText()) || path.isBlank()) {
        continue;
      }
      Path log = Path.of(path);
      try {
        if (Files.isRegularFile(log)) {
          String text = Files.readString(log, StandardCharsets.UTF_8);
          String clean = scrubber.scrub(text);
          if (!clean.equals(text)) {
            Files.writeString(log, clean, StandardCharsets.UTF_8);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not scrub wrangler's log " + log, e);
      }
    }
  }

  private List<JsonNode> events(Path output) throws IOException {
    List<JsonNode> events = new ArrayList<>();
    if (!Files.isRegularFile(output)) {
      return events;
    }
    for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      try {
        events.add(JSON.readTree(scrubber.scrub(line)));
      } catch (IOException notJson) {
        // a torn last line (wrangler killed mid-write) carries nothing we can use
      }
    }
    return events;
  }
}
