package dev.flaredeploy.activities.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flaredeploy.activities.process.WranglerOutput;
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
  private static final Pattern MIGRATION_FAILED =
      Pattern.compile("Migration (\\S+) failed with the following errors:");

  private D1Output() {}

  /**
   * The rows of each statement of a successful {@code d1 execute --json}, which prints an array with one
   * {@code {"results":[…],"success":true,…}} per statement. Empty when stdout holds no such array.
   */
  static Optional<List<List<JsonNode>>> results(String stdout) {
    Optional<JsonNode> parsed = WranglerOutput.json(stdout).filter(JsonNode::isArray);
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
    return WranglerOutput.json(stdout)
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
      String text = WranglerOutput.withoutErrorPrefix(line.strip());
      if (text.isEmpty() || text.startsWith("🪵") || text.startsWith("Logs were written")) {
        continue;
      }
      lines.add(text);
    }
    return Optional.of(new MigrationError(matcher.group(1), String.join("\n", lines)));
  }

  /**
   * What wrangler had to say when a command failed: the JSON error on stdout ({@code --json} commands),
   * else its {@code ✘ [ERROR]} lines and what follows them, else the tail of whatever it printed.
   */
  static String complaint(String stdout, String stderr) {
    return executeError(stdout).orElseGet(() -> WranglerOutput.errorTail(stdout, stderr));
  }
}
