package dev.flaredeploy.activities.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the local target keeps its things, under the flaredeploy home ({@code FLAREDEPLOY_HOME}, default
 * {@code ~/.flaredeploy}):
 *
 * <pre>
 * snapshots/&lt;source id&gt;/                     pinned sources (content-addressed, immutable)
 * d1/miniflare-D1DatabaseObject/&lt;id&gt;.sqlite    the local D1 databases, one per local database id, shared by
 *                                           every service and environment that binds it (read and written directly)
 * d1-bindings/&lt;id&gt;/                      which service and environment binds each of them
 * local/&lt;service&gt;/&lt;env&gt;/state/                wrangler dev's --persist-to; its v3/d1 links to d1/
 * local/&lt;service&gt;/&lt;env&gt;/releases/&lt;id&gt;/      a working copy of a snapshot, .wrangler/state → state/
 * local/&lt;service&gt;/&lt;env&gt;/checkpoints/         restore points: copies of the databases taken before migrating
 * local/&lt;service&gt;/&lt;env&gt;/runtime.json         the supervised wrangler dev serving the live release
 * cloudflare/&lt;service&gt;/&lt;env&gt;/checkpoints/    the Cloudflare target's kept SQL exports ([checkpoint] export)
 * logs/                                     wrangler's own debug logs
 * </pre>
 */
public final class LocalWorkspace {
  private final Path home;

  public LocalWorkspace(Path home) {
    this.home = home.toAbsolutePath().normalize();
  }

  /** The home from {@code FLAREDEPLOY_HOME}, else {@code ~/.flaredeploy}. */
  public static LocalWorkspace fromEnvironment(Map<String, String> env) {
    String configured = env.get("FLAREDEPLOY_HOME");
    Path home =
        configured != null && !configured.isBlank()
            ? Path.of(configured)
            : Path.of(System.getProperty("user.home"), ".flaredeploy");
    return new LocalWorkspace(home);
  }

  public Path home() {
    return home;
  }

  public Path snapshots() {
    return home.resolve("snapshots");
  }

  public Path logs() {
    return home.resolve("logs");
  }

  /** The local D1 databases, shared by every environment: each environment's {@code state/v3/d1} links here. */
  public Path d1Dir() {
    return home.resolve("d1");
  }

  /** Which service and environment binds each shared local D1 database ({@code SharedD1}). */
  public Path d1BindingsDir() {
    return home.resolve("d1-bindings");
  }

  public Path environmentDir(String service, String environment) {
    return home.resolve("local").resolve(service).resolve(environment);
  }

  public Path stateDir(String service, String environment) {
    return environmentDir(service, environment).resolve("state");
  }

  public Path releasesDir(String service, String environment) {
    return environmentDir(service, environment).resolve("releases");
  }

  public Path checkpointsDir(String service, String environment) {
    return environmentDir(service, environment).resolve("checkpoints");
  }

  public Path runtimeFile(String service, String environment) {
    return environmentDir(service, environment).resolve("runtime.json");
  }

  /**
   * The working copy of a snapshot for one (service, environment): wrangler runs there, and its default
   * local state ({@code .wrangler/state}) is the environment's state folder. Created on first use by
   * copying the snapshot; safe to call again (and concurrently: the copy is moved into place atomically).
   */
  public Path workdir(String service, String environment, String sourceId, Path snapshot) {
    Path target = releasesDir(service, environment).resolve(sourceId);
    try {
      if (!Files.isDirectory(target)) {
        Files.createDirectories(target.getParent());
        Path partial = Files.createTempDirectory(target.getParent(), ".partial-" + sourceId);
        copyTree(snapshot, partial);
        try {
          Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
          deleteTree(partial);
        }
      }
      Path state = stateDir(service, environment);
      Files.createDirectories(state);
      Path link = target.resolve(".wrangler").resolve("state");
      if (!Files.isSymbolicLink(link)) {
        Files.createDirectories(link.getParent());
        if (Files.exists(link)) {
          deleteTree(link);
        }
        Files.createSymbolicLink(link, state);
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare the working copy " + target, e);
    }
  }

  /** Copies a directory tree (regular files and folders; links are copied as what they point to). */
  public static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path source : (Iterable<Path>) paths::iterator) {
        Path dest = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(source, dest, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** Deletes a tree; does not follow symbolic links out of it. */
  public static void deleteTree(Path root) throws IOException {
    if (Files.isSymbolicLink(root) || !Files.isDirectory(root)) {
      Files.deleteIfExists(root);
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
