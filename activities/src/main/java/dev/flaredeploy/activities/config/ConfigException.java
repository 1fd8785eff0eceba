package dev.flaredeploy.activities.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The project's configuration is wrong: a wrangler config or {@code flaredeploy.toml} that cannot be read,
 * does not parse, or says something flaredeploy cannot use. Retrying cannot fix it; activities report it as
 * {@code FailureTypes.CONFIG_INVALID}.
 *
 * <p>The message reads {@code <file name>[:<line>]: [<dotted key>: ]<what is wrong>; <how to fix it>}, for
 * example {@code flaredeploy.toml:7: smoke.check[0].expect_status: expected an integer between 100 and 599,
 * got "ok"}. Array indexes in keys count from 0, as wrangler's own messages do.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final int line;
  private final String key;
  private final String problem;

  /**
   * @param file the file (or, when no file was found, the directory) the problem is in
   * @param line 1-based line, or 0 when not known
   * @param key dotted key such as {@code env.staging.d1_databases[0].binding}, or null
   * @param problem what is wrong and how to fix it
   */
  public ConfigException(Path file, int line, String key, String problem) {
    super(format(file, line, key, problem));
    this.file = Objects.requireNonNull(file, "file");
    this.line = Math.max(line, 0);
    this.key = key;
    this.problem = problem;
  }

  public ConfigException(Path file, int line, String key, String problem, Throwable cause) {
    this(file, line, key, problem);
    initCause(cause);
  }

  /** The file the problem is in, or the project directory when no config file was found. */
  public Path file() {
    return file;
  }

  /** The 1-based line the problem is on, when known. */
  public OptionalInt line() {
    return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
  }

  /** The dotted key the problem is about, when there is one. */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }

  /** The message without file, line and key: what is wrong and how to fix it. */
  public String problem() {
    return problem;
  }

  private static String format(Path file, int line, String key, String problem) {
    Path name = file == null ? null : file.getFileName();
    StringBuilder message = new StringBuilder(name == null ? String.valueOf(file) : name.toString());
    if (line > 0) {
      message.append(':').append(line);
    }
    message.append(": ");
    if (key != null) {
      message.append(key).append(": ");
    }
    return message.append(problem).toString();
  }
}
