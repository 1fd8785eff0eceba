package dev.flaredeploy.activities.releases;

import static dev.flaredeploy.workflows.DeploymentIds.shortId;

import dev.flaredeploy.workflows.model.ReleaseRecord;
import java.util.List;
import java.util.Optional;

/**
 * Whether a database may go back to the restore point a deployment took before it changed it: only when nothing
 * changed the database since that deployment. Pure: given what the journal and the database say, no I/O.
 * Restoring a database that moved on would silently throw away what came after (a later deployment's migrations,
 * a migration applied by hand), so that is refused with what to do instead.
 */
public final class RestoreEligibility {
  private RestoreEligibility() {}

  /**
   * Why {@code binding} must not be restored to the restore point {@code undone} took, if it must not.
   *
   * @param undone the deployment being undone
   * @param later the journal's deployments after it, oldest first
   * @param ledgerNow the database's migrations ledger as it is now
   */
  public static Optional<String> movedOn(
      String binding, ReleaseRecord undone, List<ReleaseRecord> later, List<String> ledgerNow) {
    for (ReleaseRecord next : later) {
      ReleaseRecord.DatabaseChange change = next.database(binding);
      if (change != null && !change.applied().isEmpty()) {
        return Optional.of("database " + binding + " moved on: deployment run " + next.runId() + " (release "
            + shortId(next.release()) + ", " + next.at() + ") applied " + String.join(", ", change.applied())
            + " after the deployment being undone; restoring would throw that away too. Roll back without "
            + "--restore-database (the database stays as it is), or write a migration that repairs the data");
      }
    }
    ReleaseRecord.DatabaseChange change = undone.database(binding);
    List<String> expected = change == null ? List.of() : change.ledgerAfter();
    if (!expected.equals(ledgerNow)) {
      List<String> added = ledgerNow.stream().filter(m -> !expected.contains(m)).toList();
      List<String> missing = expected.stream().filter(m -> !ledgerNow.contains(m)).toList();
      return Optional.of("database " + binding + " moved on since deployment run " + undone.runId() + ": its ledger "
          + (added.isEmpty() ? "" : "now also lists " + String.join(", ", added))
          + (added.isEmpty() || missing.isEmpty() ? "" : " and ")
          + (missing.isEmpty() ? "" : "no longer lists " + String.join(", ", missing))
          + " (a later deployment that failed kept its migrations, or a person changed it). Roll back without "
          + "--restore-database, or bring the database back by hand from the restore point");
    }
    return Optional.empty();
  }
}
