package dev.flaredeploy.activities.process;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reading what wrangler prints, whatever the command: the JSON of {@code --json} commands and the error
 * lines of a failed one. Output of particular commands is read by each target's own parser.
 */
public final class WranglerOutput {
  /** How wrangler starts an error line on stderr (after ANSI is stripped). */
  public static final String ERROR_PREFIX = "✘ [ERROR]";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TAIL_LINES = 12;

  private WranglerOutput() {}

  /** The JSON document on stdout; wrangler may print an empty line or other text before it. */
  public static Optional<JsonNode> json(String stdout) {
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

  public static String withoutErrorPrefix(String line) {
    return line.startsWith(ERROR_PREFIX) ? line.substring(ERROR_PREFIX.length()).strip() : line;
  }

  /**
   * The useful end of a failed command's output: from its first {@code ✘ [ERROR]} line on stderr (or
   * stdout when stderr is empty), without the prefix, blank lines, the log-file pointer and wrangler's
   * "open an issue" boilerplate; at most the last 12 lines.
   */
  public static String errorTail(String stdout, String stderr) {
    String source = stderr.isBlank() ? stdout : stderr;
    int first = source.indexOf(ERROR_PREFIX);
    String text = first >= 0 ? source.substring(first) : source;
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\\R")) {
      String stripped = withoutErrorPrefix(line.strip());
      if (!stripped.isEmpty() && !stripped.startsWith("🪵")
          && !stripped.startsWith("If you think this is a bug")) {
        lines.add(stripped);
      }
    }
    List<String> tail = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
    return tail.isEmpty() ? "(wrangler printed nothing)" : String.join("\n", tail);
  }
}
