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
import java.util.Optional;
import java.util.Set;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.workflows.FailureTypes;

/**
 * Runs wrangler for the Cloudflare target, for what it does best (bundling, uploading and deploying
 * versions, rollback, a kept SQL export): the worker's credentials in its environment, a fresh ND-JSON
 * output file ({@code WRANGLER_OUTPUT_FILE_PATH}, appended to by wrangler, so never reused) and a fresh
 * cache ({@code WRANGLER_CACHE_DIR}, so an account id cached by an earlier command is never used) per
 * command, and every result scrubbed of credentials before anyone sees it. Everything else the target
 * calls directly ({@link dev.flaredeploy.activities.cloudflare.api.CloudflareApi}).
 */
final class CloudflareWrangler {
  /** Cloudflare API codes for a token that is wrong or lacks a permission. */
  private static final Set<Integer> AUTH_REFUSED = Set.of(10000, 10001, 9106, 9109);
  /** What wrangler says, without an API error code, when the project's configuration is the problem. */
  private static final List<String> CONFIG_COMPLAINTS = List.of(
      "Couldn't find a D1 DB", "missing a database_id", "No environment found", "Unknown argument",
      "No configuration file", "You need to provide a name", "More than one account available",
      "Processing wrangler", "Required Worker name missing");

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

  /**
   * Runs {@code wrangler <args> -c <config> [--env <environment>]} in the project's pinned source (verified
   * once per call), with the account the target resolved, so wrangler never asks {@code /memberships} again.
   */
  WranglerRun run(CloudflareProject project, Tick tick, List<String> args) {
    List<String> argv = new ArrayList<>(args);
    argv.addAll(List.of("-c", project.config().toString()));
    if (!ProjectConfigLoader.DEFAULT_ENVIRONMENT.equals(project.environment())) {
      argv.addAll(List.of("--env", project.environment()));
    }
    Map<String, String> account = project.configAccountId() == null
        ? Map.of(CloudflareCredentials.ACCOUNT_ID, project.accountId(tick)) : Map.of();
    return run(project.dir(), argv, account, tick);
  }

  /**
   * Turns a failed command into a typed failure: a refused token and a configuration problem cannot be
   * retried; an API or network error can (as {@code failureType}).
   */
  static CloudflareException failure(String doing, WranglerRun run, String failureType) {
    String complaint = run.complaint();
    String message = run.command() + " failed while trying to " + doing + ": " + complaint;
    Optional<Integer> code = run.errorCode();
    if (code.filter(AUTH_REFUSED::contains).isPresent()) {
      return new CloudflareException(FailureTypes.CLOUDFLARE_REFUSED, false, message
          + "; Cloudflare refused the request: check that " + CloudflareCredentials.TOKEN + " may edit Workers"
          + " and D1 on the account " + CloudflareCredentials.ACCOUNT_ID + " (or account_id) names");
    }
    if (code.isEmpty() && CONFIG_COMPLAINTS.stream().anyMatch(complaint::contains)) {
      return new CloudflareException(FailureTypes.CONFIG_INVALID, false, message);
    }
    return new CloudflareException(failureType, true, message);
  }

  static CloudflareException unexpected(WranglerRun run, String expected) {
    return new CloudflareException(FailureTypes.WRANGLER_FAILED, true,
        run.command() + " exited " + run.result().exitCode() + " but printed no " + expected + ": "
            + abbreviate(run.stdout().isBlank() ? run.stderr() : run.stdout()));
  }

  static String abbreviate(String s) {
    String t = s.strip();
    return t.length() <= 400 ? t : t.substring(0, 400) + "…";
  }

  /** Runs {@code wrangler <args>} in {@code workdir}; requires the token first. */
  WranglerRun run(Path workdir, List<String> args, ProcessRunner.Tick tick) {
    return run(workdir, args, Map.of(), tick);
  }

  private WranglerRun run(Path workdir, List<String> args, Map<String, String> extra, ProcessRunner.Tick tick) {
    credentials.requireToken();
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("flaredeploy-wrangler-");
      Path output = scratch.resolve("output.ndjson");
      Map<String, String> env = credentials.wranglerEnvironment();
      env.putAll(extra);
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
