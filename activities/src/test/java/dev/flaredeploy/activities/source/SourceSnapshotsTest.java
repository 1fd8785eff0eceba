package dev.flaredeploy.activities.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flaredeploy.activities.local.LocalWorkspace;
import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.workflows.model.SourceSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resumed deployment deploys exactly the pinned source: a snapshot that is gone is rebuilt from git
 * only when that gives the same content hash, and never from the checkout as it is now.
 */
class SourceSnapshotsTest {
  @TempDir Path tmp;
  private final ProcessRunner runner = new ProcessRunner();
  private Path repo;
  private Path project;
  private SourceSnapshots snapshots;

  @BeforeEach
  void repositoryWithAProjectInASubdirectory() throws IOException {
    repo = tmp.resolve("repo");
    project = repo.resolve("services/hello");
    Files.createDirectories(project.resolve("migrations"));
    Files.writeString(project.resolve("wrangler.toml"), "name = \"hello\"\nmain = \"src/index.js\"\n");
    Files.writeString(project.resolve("migrations/0001_init.sql"), "CREATE TABLE t (id INTEGER);\n");
    Files.createDirectories(project.resolve("src"));
    Files.writeString(project.resolve("src/index.js"), "export default { fetch() { return new Response('v1'); } };\n");
    Files.writeString(project.resolve(".gitignore"), "node_modules/\n.wrangler/\n");
    Files.createDirectories(project.resolve("node_modules/x"));
    Files.writeString(project.resolve("node_modules/x/index.js"), "ignored\n");
    Files.writeString(repo.resolve("README.md"), "a monorepo\n");
    git("init", "-q", "-b", "main");
    commitAll("v1");
    snapshots = new SourceSnapshots(tmp.resolve("home/snapshots"), runner);
  }

  @Test
  void snapshotThatIsGoneIsRebuiltFromItsCommitWithTheSameId() throws IOException {
    SourceSnapshot pinned = snapshots.pin(project, null);
    assertThat(pinned.dirty()).isFalse();
    assertThat(pinned.commit()).isEqualTo(git("rev-parse", "HEAD"));
    assertThat(pinned.projectDir()).isEqualTo(project.toString());
    LocalWorkspace.deleteTree(Path.of(pinned.path()));

    Path rebuilt = snapshots.verified(pinned);

    assertThat(rebuilt).isEqualTo(Path.of(pinned.path()));
    assertThat(SourceSnapshots.contentHash(rebuilt)).isEqualTo(pinned.id());
    assertThat(Files.readString(rebuilt.resolve("src/index.js"))).contains("v1");
    assertThat(rebuilt.resolve("README.md")).as("only the project's directory, not the whole repository")
        .doesNotExist();
  }

  @Test
  void rebuildUsesTheRecordedCommitNotTheCheckoutAsItIsNow() throws IOException {
    SourceSnapshot pinned = snapshots.pin(project, null);
    LocalWorkspace.deleteTree(Path.of(pinned.path()));
    Files.writeString(project.resolve("src/index.js"), "export default { fetch() { return new Response('v2'); } };\n");
    commitAll("v2");
    Files.writeString(project.resolve("src/index.js"), "uncommitted v3\n");

    Path rebuilt = snapshots.verified(pinned);

    assertThat(SourceSnapshots.contentHash(rebuilt)).isEqualTo(pinned.id());
    assertThat(Files.readString(rebuilt.resolve("src/index.js"))).contains("v1");
  }

  @Test
  void snapshotOfAnUncommittedChangeThatIsGoneFailsClearlyAndNothingIsDeployed() throws IOException {
    Files.writeString(project.resolve("src/index.js"), "export default { fetch() { return new Response('wip'); } };\n");
    SourceSnapshot pinned = snapshots.pin(project, null);
    assertThat(pinned.dirty()).isTrue();
    LocalWorkspace.deleteTree(Path.of(pinned.path()));

    assertThatThrownBy(() -> snapshots.verified(pinned))
        .isInstanceOf(SourceException.class)
        .hasMessageContaining("pinned source " + pinned.id() + " is gone")
        .hasMessageContaining("uncommitted changes")
        .hasMessageContaining("deploy again");
    assertThat(Path.of(pinned.path())).doesNotExist();
  }

  @Test
  void snapshotWithFilesGitDoesNotTrackIsNotRebuiltFromAnotherContent() throws IOException {
    Files.writeString(project.resolve(".gitignore"), "node_modules/\n.wrangler/\n.dev.vars\n");
    commitAll("ignore .dev.vars");
    Files.writeString(project.resolve(".dev.vars"), "LOCAL=1\n"); // ignored: the tree stays clean
    SourceSnapshot pinned = snapshots.pin(project, null);
    assertThat(pinned.dirty()).isFalse();
    LocalWorkspace.deleteTree(Path.of(pinned.path()));

    assertThatThrownBy(() -> snapshots.verified(pinned))
        .isInstanceOf(SourceException.class)
        .hasMessageContaining("has content hash")
        .hasMessageContaining(pinned.commit());
    assertThat(Path.of(pinned.path())).doesNotExist();
    try (var left = Files.list(tmp.resolve("home/snapshots"))) {
      assertThat(left.toList()).as("no partial rebuild is left behind").isEmpty();
    }
  }

  @Test
  void snapshotOutsideGitThatIsGoneFailsClearly() throws IOException {
    Path plain = tmp.resolve("plain");
    LocalWorkspace.copyTree(project, plain);
    LocalWorkspace.deleteTree(plain.resolve("node_modules"));
    SourceSnapshot pinned = snapshots.pin(plain, null);
    assertThat(pinned.commit()).isNull();
    LocalWorkspace.deleteTree(Path.of(pinned.path()));

    assertThatThrownBy(() -> snapshots.verified(pinned))
        .isInstanceOf(SourceException.class)
        .hasMessageContaining("not taken from a git repository");
  }

  @Test
  void snapshotPinnedAtACommitIsRebuiltToo() throws IOException {
    String v1 = git("rev-parse", "HEAD");
    Files.writeString(project.resolve("src/index.js"), "v2\n");
    commitAll("v2");
    SourceSnapshot pinned = snapshots.pin(project, v1);
    LocalWorkspace.deleteTree(Path.of(pinned.path()));

    Path rebuilt = snapshots.verified(pinned);

    assertThat(SourceSnapshots.contentHash(rebuilt)).isEqualTo(pinned.id());
    assertThat(Files.readString(rebuilt.resolve("src/index.js"))).contains("v1");
  }

  @Test
  void changedSnapshotIsRefused() throws IOException {
    SourceSnapshot pinned = snapshots.pin(project, null);
    Files.writeString(Path.of(pinned.path()).resolve("src/index.js"), "tampered\n");

    assertThatThrownBy(() -> snapshots.verified(pinned))
        .isInstanceOf(SourceException.class)
        .hasMessageContaining("was changed");
  }

  @Test
  void planRecordedBeforeTheProjectDirWasAddedFailsClearlyWhenTheSnapshotIsGone() throws IOException {
    SourceSnapshot pinned = snapshots.pin(project, null);
    LocalWorkspace.deleteTree(Path.of(pinned.path()));
    SourceSnapshot old = new SourceSnapshot(pinned.id(), pinned.path(), pinned.commit(), false, null, null);

    assertThatThrownBy(() -> snapshots.verified(old))
        .isInstanceOf(SourceException.class)
        .hasMessageContaining("does not name the project directory")
        .hasMessageContaining("--commit " + pinned.commit());
  }

  @Test
  void recordsTheBranchCheckedOutOrTheBranchesThatContainARequestedCommit() throws IOException {
    String v1 = git("rev-parse", "HEAD");
    git("checkout", "-q", "-b", "feature/x");
    Files.writeString(project.resolve("src/index.js"), "export default { fetch() { return new Response('v2'); } };\n");
    commitAll("v2");
    String v2 = git("rev-parse", "HEAD");

    assertThat(snapshots.pin(project, null).branches()).containsExactly("feature/x");
    assertThat(snapshots.pin(project, "main").branches()).as("--commit naming a branch").containsExactly("main");
    assertThat(snapshots.pin(project, v1).branches()).as("v1 is in both histories")
        .containsExactlyInAnyOrder("main", "feature/x");
    assertThat(snapshots.pin(project, v2).branches()).containsExactly("feature/x");
    git("checkout", "-q", "--detach", v1);
    assertThat(snapshots.pin(project, null).branches()).as("detached HEAD").isEmpty();
  }

  @Test
  void sourceOutsideGitIsOnNoBranch() throws IOException {
    Path outside = tmp.resolve("outside");
    LocalWorkspace.copyTree(project, outside);

    SourceSnapshot pinned = snapshots.pin(outside, null);

    assertThat(pinned.commit()).isNull();
    assertThat(pinned.branches()).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------

  private void commitAll(String message) {
    git("add", "-A");
    git("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", message);
  }

  private String git(String... args) {
    List<String> argv = new ArrayList<>(List.of("git", "-C", repo.toString()));
    argv.addAll(List.of(args));
    ProcessResult result = runner.run(argv, repo, Map.of(), Duration.ofSeconds(30), ProcessRunner.Tick.NONE);
    assertThat(result.exitCode()).as("git %s: %s", String.join(" ", args), result.diagnostics()).isZero();
    return result.stdout().strip();
  }
}
