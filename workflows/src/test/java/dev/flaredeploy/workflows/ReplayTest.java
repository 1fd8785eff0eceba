package dev.flaredeploy.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.workflows.locks.DatabaseLockWorkflowImpl;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays recorded histories (success, rollbacks, cancel, resumed after a worker crash, a gradual
 * rollout that passed and one aborted at 50 %, a fleet stopped by its failure budget, one cancelled, and one whose
 * member waited for an approval and that sent its own outcome, a run that waited for a database lock, a restore
 * refused because another deployment migrated the database) against the current workflow code, and the database
 * lock's own histories against the lock workflow. A change
 * that running deployments could not replay fails here: put it behind {@code Workflow.getVersion} (see
 * docs/architecture.md, "Changing the workflow safely").
 */
class ReplayTest {
  private static final Path HISTORIES = Path.of("src/test/resources/histories");

  @TestFactory
  Stream<DynamicTest> recordedDeploymentsStillReplay() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(HISTORIES)) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).as("recorded histories").hasSizeGreaterThanOrEqualTo(5);
    return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(),
        () -> WorkflowReplayer.replayWorkflowExecution(file.toFile(), DeploymentWorkflowImpl.class,
            FleetWorkflowImpl.class, DatabaseLockWorkflowImpl.class)));
  }

  /** The database lock's own histories (a queue, a grant, releases) against the current lock workflow. */
  @TestFactory
  Stream<DynamicTest> recordedDatabaseLocksStillReplay() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(HISTORIES.resolve("locks"))) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).as("recorded lock histories").isNotEmpty();
    return files.stream().map(file -> DynamicTest.dynamicTest("locks/" + file.getFileName(),
        () -> WorkflowReplayer.replayWorkflowExecution(file.toFile(), DatabaseLockWorkflowImpl.class)));
  }
}
