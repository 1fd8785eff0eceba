package dev.flaredeploy.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The repository's example projects and its pinned wrangler, for tests that run the real thing. The repo
 * root comes from system property {@code flaredeploy.root} (set by the parent pom's surefire config).
 */
public final class ExampleProjects {
  /** What a copy leaves out: installed packages and wrangler's local state. */
  private static final Set<String> SKIPPED = Set.of("node_modules", ".wrangler");

  private ExampleProjects() {}

  public static Path repoRoot() {
    String root = System.getProperty("flaredeploy.root");
    if (root == null || root.isBlank()) {
      throw new IllegalStateException(
          "system property flaredeploy.root is not set; run the tests through Maven (the parent pom sets it)");
    }
    return Path.of(root).toAbsolutePath().normalize();
  }

  /** Copies {@code examples/<name>} into {@code target} (created if needed) and returns {@code target}. */
  public static Path copy(String name, Path target) {
    Path source = repoRoot().resolve("examples").resolve(name);
    if (!Files.isDirectory(source)) {
      throw new IllegalArgumentException("no example project " + source);
    }
    try (Stream<Path> paths = Files.walk(source)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Path relative = source.relativize(path);
        if (relative.getNameCount() > 0 && SKIPPED.contains(relative.getName(0).toString())) {
          continue;
        }
        Path dest = target.resolve(relative.toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(path, dest);
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("could not copy example " + name + " to " + target, e);
    }
  }

  /** The wrangler pinned in the repo's package.json; fails with a hint when {@code npm ci} was not run. */
  public static Path pinnedWrangler() {
    Path pinned = repoRoot().resolve("node_modules").resolve(".bin").resolve("wrangler");
    if (!Files.isExecutable(pinned)) {
      throw new IllegalStateException("no pinned wrangler at " + pinned + "; run `npm ci` in " + repoRoot());
    }
    return pinned;
  }
}
