package dev.flaredeploy.activities.config;

import dev.flaredeploy.workflows.model.MigrationFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Lists the migrations of one binding as wrangler finds them: the regular files directly in the
 * directory (not in subdirectories) whose name ends in {@code .sql}, in {@link MigrationOrder}, each with
 * the sha256 of its bytes.
 */
final class MigrationDirectory {
  private MigrationDirectory() {}

  /** The migrations in {@code dir}; none when it does not exist. */
  static List<MigrationFile> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<String> names;
    try (Stream<Path> entries = Files.list(dir)) {
      names =
          entries
              .filter(Files::isRegularFile)
              .map(path -> path.getFileName().toString())
              .filter(name -> name.endsWith(".sql"))
              .toList();
    } catch (IOException e) {
      throw unreadable(dir, e);
    }
    return MigrationOrder.sort(names).stream()
        .map(name -> new MigrationFile(name, sha256(dir.resolve(name))))
        .toList();
  }

  private static String sha256(Path file) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw unreadable(file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static ConfigException unreadable(Path path, IOException e) {
    return new ConfigException(path, 0, null, "cannot be read: " + e + "; check its permissions", e);
  }
}
