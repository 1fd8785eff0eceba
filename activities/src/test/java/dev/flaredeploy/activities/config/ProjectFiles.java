package dev.flaredeploy.activities.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a project's files into a test directory. */
final class ProjectFiles {
  private final Path dir;

  ProjectFiles(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  ProjectFiles write(String relative, String content) {
    try {
      Path file = dir.resolve(relative);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A Worker script and two migrations, the files every wrangler config in the tests points at. */
  ProjectFiles withWorkerAndMigrations() {
    return write("src/index.js", "export default { fetch() { return new Response('ok'); } };\n")
        .write("migrations/0001_init.sql", "CREATE TABLE t (id INTEGER);\n")
        .write("migrations/0002_more.sql", "ALTER TABLE t ADD COLUMN x TEXT;\n");
  }
}
