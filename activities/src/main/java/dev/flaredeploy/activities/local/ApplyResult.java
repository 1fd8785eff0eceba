package dev.flaredeploy.activities.local;

import java.util.List;

/**
 * What {@link LocalDatabases#applyMigrations} did, read back from the ledger.
 *
 * @param applied the files this call applied, in the order they were applied (empty when none were
 *     pending)
 * @param ledger every file the ledger records afterwards, in ledger order
 */
public record ApplyResult(String binding, List<String> applied, List<String> ledger) {
  public ApplyResult {
    applied = List.copyOf(applied);
    ledger = List.copyOf(ledger);
  }
}
