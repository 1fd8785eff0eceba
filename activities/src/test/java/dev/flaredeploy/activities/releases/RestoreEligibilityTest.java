package dev.flaredeploy.activities.releases;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.workflows.model.ReleaseRecord;
import dev.flaredeploy.workflows.model.RestorePoint;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a database may go back to the restore point of the deployment being undone, and the journal it reads. */
class RestoreEligibilityTest {
  @TempDir Path home;

  static ReleaseRecord deployment(String run, List<String> applied, List<String> ledgerAfter) {
    return new ReleaseRecord(ReleaseRecord.DEPLOYMENT, "src-" + run, "src-" + run, "http://127.0.0.1:8787",
        "2026-01-01T00:00:00Z", null, false, "ada@laptop", "deploy:local:shop:default", run, null,
        List.of(new ReleaseRecord.DatabaseChange("DB", applied, ledgerAfter, new RestorePoint("DB", "/cp/" + run))),
        null);
  }

  @Test
  void aDatabaseAsTheUndoneDeploymentLeftItMayBeRestored() {
    ReleaseRecord undone = deployment("r2", List.of("0003.sql"), List.of("0001.sql", "0003.sql"));

    assertThat(RestoreEligibility.movedOn("DB", undone, List.of(), List.of("0001.sql", "0003.sql"))).isEmpty();
  }

  @Test
  void aLaterDeploymentThatChangedTheDatabaseRefusesTheRestoreAndSaysWhatToDo() {
    ReleaseRecord undone = deployment("r2", List.of("0003.sql"), List.of("0001.sql", "0003.sql"));
    ReleaseRecord later = deployment("r3", List.of("0004.sql"), List.of("0001.sql", "0003.sql", "0004.sql"));

    assertThat(RestoreEligibility.movedOn("DB", undone, List.of(later), List.of("0001.sql", "0003.sql", "0004.sql")))
        .hasValueSatisfying(why -> assertThat(why).contains("moved on", "run r3", "0004.sql",
            "without --restore-database"));
  }

  @Test
  void aMigrationAppliedOutsideTheJournalRefusesTheRestore() {
    ReleaseRecord undone = deployment("r2", List.of("0003.sql"), List.of("0001.sql", "0003.sql"));

    assertThat(RestoreEligibility.movedOn("DB", undone, List.of(), List.of("0001.sql", "0003.sql", "0009_hand.sql")))
        .hasValueSatisfying(why -> assertThat(why).contains("now also lists 0009_hand.sql"));
  }

  @Test
  void theJournalKeepsEachRunOnceInOrder() {
    ReleaseJournal journal = new ReleaseJournal(home);
    var plan = new dev.flaredeploy.workflows.model.DeploymentPlan("shop", "default", "local", null, "wrangler.toml",
        List.of(), null, List.of(), null, 1, false, "warn", null, false, null, List.of(), null, null, null);
    ReleaseRecord first = deployment("r1", List.of("0001.sql"), List.of("0001.sql"));
    first = new ReleaseRecord(first.kind(), first.release(), first.version(), first.url(), first.at(), null, false,
        "ada", first.workflowId(), "r1", null, first.databases(), plan);
    ReleaseRecord second = new ReleaseRecord(first.kind(), "src-r2", "src-r2", first.url(), first.at(), null, false,
        "ada", first.workflowId(), "r2", "src-r1", List.of(), plan);

    journal.append(first);
    journal.append(second);
    journal.append(first); // a retried activity

    assertThat(journal.read("local", "shop", "default")).extracting(ReleaseRecord::runId).containsExactly("r1", "r2");
    assertThat(journal.file("local", "shop", "default")).isEqualTo(home.resolve("releases/local/shop/default.jsonl"));
  }
}
