package dev.flaredeploy.activities.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.workflows.model.SourceSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pinning the source of a deployment: the working tree as it is, or a commit from git. */
class SourcePinningTest {
  @TempDir Path tmp;
  private Path repo;
  private Path project;
  private SourceSnapshots snapshots;
  private final ProcessRunner runner = new ProcessRunner();

  @BeforeEach
  void repositoryWithAProjectInASubdirectory() throws IOException {
    repo = tmp.resolve("repo");
    project = repo.resolve("apps/worker");
    Files.createDirectories(project.resolve("src"));
    Files.writeString(project.resolve("wrangler.toml"), "name = \"w\"\nmain = \"src/index.js\"\n");
    Files.writeString(project.resolve("src/index.js"), "export default { fetch() { return new Response('v1'); } };\n");
    Files.createDirectories(project.resolve("node_modules/dep"));
    Files.writeString(project.resolve("node_modules/dep/index.js"), "ignored");
    git("init", "-q");
    git("add", "-A");
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "v1");
    snapshots = new SourceSnapshots(tmp.resolve("snapshots"), runner);
  }

  @Test
  void theSameSourceAlwaysGetsTheSameIdAndLeavesOutDependencies() {
    SourceSnapshot first = snapshots.pin(project, null);
    SourceSnapshot again = snapshots.pin(project, null);

    assertThat(again.id()).isEqualTo(first.id());
    assertThat(Path.of(first.path()).resolve("src/index.js")).exists();
    assertThat(Path.of(first.path()).resolve("node_modules")).doesNotExist();
    assertThat(first.commit()).isEqualTo(git("rev-parse", "HEAD"));
    assertThat(first.dirty()).isFalse();
  }

  @Test
  void anEditedWorkingTreeIsRecordedAsDirtyWithANewId() throws IOException {
    SourceSnapshot clean = snapshots.pin(project, null);
    Files.writeString(project.resolve("src/index.js"), "export default { fetch() { return new Response('v2'); } };\n");

    SourceSnapshot dirty = snapshots.pin(project, null);

    assertThat(dirty.dirty()).isTrue();
    assertThat(dirty.id()).isNotEqualTo(clean.id());
  }

  @Test
  void aCommitIsTakenFromGitNotFromTheWorkingTree() throws IOException {
    String v1 = git("rev-parse", "HEAD");
    SourceSnapshot fromTree = snapshots.pin(project, null);
    Files.writeString(project.resolve("src/index.js"), "export default { fetch() { return new Response('v2'); } };\n");

    SourceSnapshot fromGit = snapshots.pin(project, v1);

    assertThat(fromGit.commit()).isEqualTo(v1);
    assertThat(Files.readString(Path.of(fromGit.path()).resolve("src/index.js"))).contains("v1");
    assertThat(fromGit.id()).isEqualTo(fromTree.id());
  }

  @Test
  void anUnknownCommitIsAClearError() {
    assertThatThrownBy(() -> snapshots.pin(project, "0123456789abcdef0123456789abcdef01234567"))
        .isInstanceOf(SourceException.class)
        .hasMessageContaining("is not known to the git repository");
  }

  @Test
  void aChangedSnapshotIsRefused() throws IOException {
    SourceSnapshot pinned = snapshots.pin(project, null);
    Files.writeString(Path.of(pinned.path()).resolve("src/index.js"), "tampered");

    assertThatThrownBy(() -> snapshots.verified(pinned))
        .isInstanceOf(SourceException.class)
        .hasMessageContaining("was changed");
  }

  private String git(String... args) {
    List<String> argv = new java.util.ArrayList<>(List.of("git", "-C", repo.toString()));
    argv.addAll(List.of(args));
    ProcessResult result = runner.run(argv, repo, Map.of(), Duration.ofSeconds(30), ProcessRunner.Tick.NONE);
    assertThat(result.exitCode()).as(result.diagnostics()).isZero();
    return result.stdout().strip();
  }
}
