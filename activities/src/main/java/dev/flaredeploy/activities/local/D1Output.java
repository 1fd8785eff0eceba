package dev.flaredeploy.activities.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what {@code wrangler d1} prints (shared notes on wrangler §1, §2). Pure: no processes, no files.
 * Input is expected with ANSI escapes already removed.
 */
final class D1Output {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ERROR_PREFIX = "✘ [ERROR]";
  private static final Pattern MIGRATION_FAILED =
      Pattern.compile("Migration (\\S+) failed with the following errors:");

  private D1Output() {}

  /**
   * The rows of each statement of a successful {@code d1 execute --json}, which prints an array with one
   * {@code {"results":[…],"success":true,…}} per statement. Empty when stdout holds no such array.
   */
  static Optional<List<List<JsonNode>>> results(String stdout) {
    Optional<JsonNode> parsed = parse(stdout).filter(JsonNode::isArray);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    List<List<JsonNode>> statements = new ArrayList<>();
    for (JsonNode statement : parsed.get()) {
      JsonNode results = statement.path("results");
      if (!results.isArray()) {
        return Optional.empty();
      }
      List<JsonNode> rows = new ArrayList<>();
      results.forEach(rows::add);
      statements.add(rows);
    }
    return Optional.of(statements);
  }

  /** The rows of the first statement of a successful {@code d1 execute --json}; see {@link #results}. */
  static Optional<List<JsonNode>> firstRows(String stdout) {
    return results(stdout).filter(statements -> !statements.isEmpty()).map(s -> s.get(0));
  }

  /**
   * The error of a failed {@code d1 execute --json}, which wrangler prints on stdout as {@code
   * {"error":{"text":…,"notes":[{"text":…}]}}}; notes (the SQLite message on remote) follow the text.
   */
  static Optional<String> executeError(String stdout) {
    return parse(stdout)
        .map(node -> node.path("error"))
        .filter(JsonNode::isObject)
        .map(
            error -> {
              StringBuilder text = new StringBuilder(error.path("text").asText(""));
              for (JsonNode note : error.path("notes")) {
                text.append(text.isEmpty() ? "" : "\n").append(note.path("text").asText(""));
              }
              return text.toString().trim();
            })
        .filter(text -> !text.isEmpty());
  }

  /** A migration that {@code d1 migrations apply} reported as failed, and SQLite's complaint about it. */
  record MigrationError(String file, String error) {}

  /**
   * Reads the stderr of a failed {@code d1 migrations apply}:
   *
   * <pre>
   * ✘ [ERROR] Migration 0003_bad.sql failed with the following errors:
   * ✘ [ERROR] no such table: nonexistent_table: SQLITE_ERROR
   * 🪵  Logs were written to "…"
   * </pre>
   *
   * Empty when the failure was not about a migration (configuration, unknown binding, …).
   */
  static Optional<MigrationError> migrationError(String stderr) {
    Matcher matcher = MIGRATION_FAILED.matcher(stderr);
    if (!matcher.find()) {
      return Optional.empty();
    }
    List<String> lines = new ArrayList<>();
    for (String line : stderr.substring(matcher.end()).split("\\R")) {
      String text = line.strip();
      if (text.startsWith(ERROR_PREFIX)) {
        text = text.substring(ERROR_PREFIX.length()).strip();
      }
      if (text.isEmpty() || text.startsWith("🪵") || text.startsWith("Logs were written")) {
        continue;
      }
      lines.add(text);
    }
    return Optional.of(new MigrationError(matcher.group(1), String.join("\n", lines)));
  }

  /**
   * What wrangler had to say when a command failed: its {@code ✘ [ERROR]} lines and what follows them on
   * stderr, else the JSON error on stdout, else the tail of whatever it printed.
   */
  static String complaint(String stdout, String stderr) {
    Optional<String> json = executeError(stdout);
    if (json.isPresent()) {
      return json.get();
    }
    String source = stderr.isBlank() ? stdout : stderr;
    int first = source.indexOf(ERROR_PREFIX);
    String text = first >= 0 ? source.substring(first) : source;
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\\R")) {
      String stripped = line.strip();
      if (stripped.startsWith(ERROR_PREFIX)) {
        stripped = stripped.substring(ERROR_PREFIX.length()).strip();
      }
      if (!stripped.isEmpty() && !stripped.startsWith("🪵")) {
        lines.add(stripped);
      }
    }
    List<String> tail = lines.subList(Math.max(0, lines.size() - 12), lines.size());
    return tail.isEmpty() ? "(wrangler printed nothing)" : String.join("\n", tail);
  }

  private static Optional<JsonNode> parse(String stdout) {
    // --json output is preceded by an empty line; anything before the first bracket is not JSON.
    int array = stdout.indexOf('[');
    int object = stdout.indexOf('{');
    int start = array < 0 ? object : object < 0 ? array : Math.min(array, object);
    if (start < 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(stdout.substring(start)));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }
}
