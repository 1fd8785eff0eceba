package dev.flaredeploy.activities.source;

import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The questions flaredeploy asks git about a project directory. Read-only. */
public final class Git {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private final ProcessRunner runner;

  public Git(ProcessRunner runner) {
    this.runner = runner;
  }

  /** The commit checked out in a directory (null outside git) and whether its tree has changes. */
  public record State(String commit, boolean dirty) {}

  public State state(Path dir) {
    String commit = run(dir, "rev-parse", "HEAD");
    boolean dirty = commit != null && !run(dir, "status", "--porcelain", "--", ".").isEmpty();
    return new State(commit, dirty);
  }

  /** The branch checked out in {@code dir}; empty on a detached HEAD or outside git. */
  public List<String> currentBranch(Path dir) {
    String branch = run(dir, "symbolic-ref", "--short", "-q", "HEAD");
    return branch == null || branch.isEmpty() ? List.of() : List.of(branch);
  }

  /**
   * The local branches a requested commit is on: {@code ref} itself when it names a local branch, else every
   * local branch whose history contains {@code sha} (the resolved commit).
   */
  public List<String> branchesOf(Path dir, String ref, String sha) {
    if (run(dir, "show-ref", "--verify", "--quiet", "refs/heads/" + ref) != null) {
      return List.of(ref);
    }
    String out = run(dir, "branch", "--contains", sha, "--format=%(refname:short)");
    return out == null ? List.of() : out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  /** Where git runs the hooks of {@code dir}'s repository ({@code core.hooksPath} honoured); empty outside git. */
  public java.util.Optional<Path> hooksDirectory(Path dir) {
    String hooks = run(dir, "rev-parse", "--git-path", "hooks");
    return hooks == null || hooks.isEmpty() ? java.util.Optional.empty()
        : java.util.Optional.of(dir.resolve(hooks).normalize());
  }

  /**
   * {@code dir} relative to the top of its working tree, as git names it ({@code ""} at the top, {@code "app/"}
   * below it); empty outside git.
   */
  public java.util.Optional<String> pathInWorkingTree(Path dir) {
    return java.util.Optional.ofNullable(run(dir, "rev-parse", "--show-prefix"));
  }

  /**
   * Resolves {@code commit} (a sha, tag or branch) in the repository of {@code dir} to a full sha.
   *
   * @throws SourceException when git does not know it
   */
  public String resolveCommit(Path dir, String commit) {
    String resolved = run(dir, "rev-parse", "--verify", "--quiet", commit + "^{commit}");
    if (resolved == null || resolved.isEmpty()) {
      throw new SourceException("commit " + commit + " is not known to the git repository of " + dir);
    }
    return resolved;
  }

  /**
   * Runs git in {@code dir}; its trimmed stdout, or null when it fails (e.g. not a repository).
   *
   * @throws SourceException when git itself cannot be run for anything but a {@code rev-parse}
   */
  String run(Path dir, String... args) {
    List<String> argv = Stream.concat(Stream.of("git", "-C", dir.toString()), Stream.of(args)).toList();
    try {
      ProcessResult result = runner.run(argv, dir, Map.of(), TIMEOUT, ProcessRunner.Tick.NONE);
      return result.succeeded() ? result.stdout().strip() : null;
    } catch (UncheckedIOException noGit) {
      if (args.length > 0 && !"rev-parse".equals(args[0])) {
        throw new SourceException("git is needed for this and could not be run: " + noGit.getMessage());
      }
      return null;
    }
  }
}
