package dev.flaredeploy.activities.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of the secrets {@code wrangler dev} gives a Worker on the local target, found the way wrangler
 * 4.86 finds them (its {@code getVarsForDev}), next to the wrangler config: {@code .dev.vars.<env>} when
 * deploying an environment and that file exists, else {@code .dev.vars}; when neither exists, the dotenv
 * files {@code .env}, {@code .env.local}, {@code .env.<env>}, {@code .env.<env>.local} together. Only names
 * are read out; values never leave the file.
 */
public final class DevVars {
  /** dotenv's own line pattern (npm dotenv 16/17), so that multi-line quoted values are skipped whole. */
  private static final Pattern LINE = Pattern.compile(
      "^\\s*(?:export\\s+)?([\\w.-]+)(?:\\s*=\\s*?|:\\s+?)(\\s*'(?:\\\\'|[^'])*'|\\s*\"(?:\\\\\"|[^\"])*\""
          + "|\\s*`(?:\\\\`|[^`])*`|[^#\\r\\n]+)?\\s*(?:#.*)?$",
      Pattern.MULTILINE);

  private DevVars() {}

  /** The files wrangler would read for {@code environment} ({@code "default"}: no {@code --env}). */
  public static List<Path> files(Path configDir, String environment) {
    boolean named = !"default".equals(environment);
    if (named && Files.isRegularFile(configDir.resolve(".dev.vars." + environment))) {
      return List.of(configDir.resolve(".dev.vars." + environment));
    }
    if (Files.isRegularFile(configDir.resolve(".dev.vars"))) {
      return List.of(configDir.resolve(".dev.vars"));
    }
    List<String> dotenv = new ArrayList<>(List.of(".env", ".env.local"));
    if (named) {
      dotenv.add(".env." + environment);
      dotenv.add(".env." + environment + ".local");
    }
    return dotenv.stream().map(configDir::resolve).filter(Files::isRegularFile).toList();
  }

  /** The secret names the Worker gets in {@code environment}, in file order, each once. */
  public static List<String> names(Path configDir, String environment) {
    Set<String> names = new LinkedHashSet<>();
    for (Path file : files(configDir, environment)) {
      names.addAll(namesIn(read(file)));
    }
    return List.copyOf(names);
  }

  static List<String> namesIn(String content) {
    Matcher m = LINE.matcher(content.replace("\r\n", "\n").replace('\r', '\n'));
    List<String> names = new ArrayList<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
    }
  }
}
