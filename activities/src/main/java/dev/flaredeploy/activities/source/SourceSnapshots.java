package dev.flaredeploy.activities.source;

import dev.flaredeploy.activities.local.LocalWorkspace;
import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.workflows.model.SourceSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Pins the source of a deployment: a content-addressed, immutable copy of the project under {@code
 * <home>/snapshots/<id>}, where the id is a sha256 over the relative paths and contents of its files. The
 * same source always gets the same id, which is also the release version on the local target.
 *
 * <p>Left out of a snapshot: {@code .git}, {@code node_modules} and {@code .wrangler} (state and build
 * output, not source).
 */
public class SourceSnapshots {
  private static final Set<String> EXCLUDED = Set.of(".git", "node_modules", ".wrangler");
  private static final Duration GIT_TIMEOUT = Duration.ofMinutes(2);
  private static final int ID_LENGTH = 16;

  private final Path root;
  private final ProcessRunner runner;
  private final Git git;

  public SourceSnapshots(Path root, ProcessRunner runner) {
    this.root = root;
    this.runner = runner;
    this.git = new Git(runner);
  }

  /**
   * Snapshots {@code projectDir} as it is now (commit == null), or the project's directory at {@code
   * commit} from git. Records the commit, whether the working tree had uncommitted changes, and the
   * branches the source is on (see {@link SourceSnapshot#branches()}).
   *
   * @throws SourceException when the commit is unknown or git is needed but absent
   */
  public SourceSnapshot pin(Path projectDir, String commit) {
    Path dir = projectDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new SourceException("project directory " + dir + " does not exist");
    }
    try {
      Files.createDirectories(root);
      Path partial = Files.createTempDirectory(root, ".partial-");
      try {
        String recordedCommit;
        boolean dirty;
        List<String> branches;
        if (commit == null) {
          copyProject(dir, partial);
          Git.State state = git.state(dir);
          recordedCommit = state.commit();
          dirty = state.dirty();
          branches = recordedCommit == null ? List.of() : git.currentBranch(dir);
        } else {
          recordedCommit = git.resolveCommit(dir, commit);
          extractFromGit(dir, recordedCommit, partial);
          dirty = false;
          branches = git.branchesOf(dir, commit, recordedCommit);
        }
        String id = contentHash(partial);
        Path target = root.resolve(id);
        if (Files.isDirectory(target)) {
          LocalWorkspace.deleteTree(partial);
        } else {
          Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        }
        return new SourceSnapshot(id, target.toString(), recordedCommit, dirty, dir.toString(), branches);
      } catch (IOException | RuntimeException e) {
        LocalWorkspace.deleteTree(partial);
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not snapshot " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The snapshot's directory, after checking that its content still has its id: a resumed deployment
   * deploys exactly what prepare pinned, or nothing.
   *
   * <p>When the snapshot is gone (a worker on another machine, a cleaned home) it is rebuilt from git, but
   * only when the source was committed and clean when pinned: the project's directory at the recorded
   * commit is extracted and kept only if its content hash is the snapshot's id. The checkout as it is now
   * is never used.
   *
   * @throws SourceException when the snapshot is gone and cannot be rebuilt exactly, or was changed
   */
  public Path verified(SourceSnapshot snapshot) {
    Path dir = Path.of(snapshot.path());
    if (!Files.isDirectory(dir)) {
      // the plan may name another machine's home: this worker keeps (or rebuilds) the snapshot in its own
      Path own = root.resolve(snapshot.id());
      dir = Files.isDirectory(own) ? own : rebuilt(snapshot, Path.of(snapshot.path()));
    }
    String actual = contentHash(dir);
    if (!actual.equals(snapshot.id())) {
      throw new SourceException("the pinned source " + snapshot.id() + " in " + dir
          + " was changed (its content hash is now " + actual + "); refusing to deploy it");
    }
    return dir;
  }

  /**
   * Rebuilds a missing snapshot into {@code <root>/<id>} from git at its recorded commit, or says why that
   * is not possible. The result's hash is the id, or nothing is kept.
   */
  private Path rebuilt(SourceSnapshot snapshot, Path missing) {
    String gone = "the pinned source " + snapshot.id() + " is gone from " + missing + " and cannot be rebuilt: ";
    String again = "; deploy again to pin the source anew";
    if (snapshot.commit() == null) {
      throw new SourceException(gone + "it was not taken from a git repository" + again);
    }
    if (snapshot.dirty()) {
      throw new SourceException(gone + "the working tree had uncommitted changes when it was pinned, so "
          + "commit " + snapshot.commit() + " does not hold it" + again);
    }
    if (snapshot.projectDir() == null) {
      throw new SourceException(gone + "the plan does not name the project directory" + again
          + ", or with --commit " + snapshot.commit());
    }
    Path project = Path.of(snapshot.projectDir());
    if (!Files.isDirectory(project)) {
      throw new SourceException(gone + "the project directory " + project + " (whose git repository holds "
          + "commit " + snapshot.commit() + ") is not on this machine" + again);
    }
    Path target = root.resolve(snapshot.id());
    try {
      Files.createDirectories(root);
      Path partial = Files.createTempDirectory(root, ".rebuild-");
      try {
        try {
          extractFromGit(project, snapshot.commit(), partial);
        } catch (SourceException | UncheckedIOException e) {
          throw new SourceException(gone + e.getMessage() + again);
        }
        String actual = contentHash(partial);
        if (!actual.equals(snapshot.id())) {
          throw new SourceException(gone + "commit " + snapshot.commit() + " of " + project
              + " has content hash " + actual + " (files git does not track, such as ignored ones, were part of"
              + " the pinned source)" + again + ", or with --commit " + snapshot.commit());
        }
        try {
          Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
          LocalWorkspace.deleteTree(partial); // another attempt rebuilt it meanwhile: same content
        }
        return target;
      } catch (IOException | RuntimeException e) {
        LocalWorkspace.deleteTree(partial);
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not rebuild the snapshot " + snapshot.id() + ": " + e.getMessage(), e);
    }
  }

  /** sha256 over every file's relative path and content, in path order; the first 16 hex digits. */
  public static String contentHash(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      List<Path> files =
          walk.filter(Files::isRegularFile)
              .filter(p -> !excluded(dir.relativize(p)))
              .sorted()
              .toList();
      for (Path file : files) {
        digest.update(dir.relativize(file).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        try (InputStream in = Files.newInputStream(file)) {
          byte[] buffer = new byte[8192];
          for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
          }
        }
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest()).substring(0, ID_LENGTH);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean excluded(Path relative) {
    for (Path part : relative) {
      if (EXCLUDED.contains(part.toString())) {
        return true;
      }
    }
    return false;
  }

  private static void copyProject(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path source : (Iterable<Path>) walk::iterator) {
        Path relative = from.relativize(source);
        if (relative.toString().isEmpty() || excluded(relative)) {
          continue;
        }
        Path dest = to.resolve(relative.toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(dest);
        } else if (Files.isRegularFile(source)) {
          Files.createDirectories(dest.getParent());
          Files.copy(source, dest, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  /** Extracts the project's directory (its path inside the repository) at {@code commit}. */
  private void extractFromGit(Path dir, String commit, Path into) throws IOException {
    String prefix = git.run(dir, "rev-parse", "--show-prefix");
    String top = git.run(dir, "rev-parse", "--show-toplevel");
    if (prefix == null || top == null) {
      throw new SourceException(dir + " is not in a git repository, so commit " + commit + " cannot be read");
    }
    Path tar = Files.createTempFile(root, ".archive-", ".tar");
    try {
      // from the top level: run in a subdirectory, git archive would look for <prefix> inside that subdirectory
      String tree = commit + ":" + prefix;
      ProcessResult archive = runner.run(
          List.of("git", "-C", top, "archive", "--format=tar", "-o", tar.toString(), tree),
          dir, Map.of(), GIT_TIMEOUT, ProcessRunner.Tick.NONE);
      if (!archive.succeeded()) {
        throw new SourceException("git archive of " + tree + " failed: " + archive.diagnostics().strip());
      }
      ProcessResult untar = runner.run(List.of("tar", "-xf", tar.toString(), "-C", into.toString()),
          dir, Map.of(), GIT_TIMEOUT, ProcessRunner.Tick.NONE);
      if (!untar.succeeded()) {
        throw new SourceException("could not unpack " + tree + ": " + untar.diagnostics().strip());
      }
    } finally {
      Files.deleteIfExists(tar);
    }
  }

}
