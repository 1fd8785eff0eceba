package dev.flaredeploy.activities.local;

import java.util.List;

/**
 * A migration file failed to apply (bad SQL, a constraint): retrying cannot fix it. wrangler applies each
 * file atomically with its ledger row and stops at the first failure, so the failed file left no trace,
 * the files before it stay applied, and the files after it were not tried. Maps to failure type {@code
 * MigrationFailed}.
 */
public class MigrationFailedException extends RuntimeException {
  private final String binding;
  private final String failedFile;
  private final String error;
  private final List<String> applied;
  private final List<String> appliedByThisCall;

  /**
   * @param failedFile the file wrangler reported as failed
   * @param error SQLite's complaint as wrangler printed it, e.g. {@code no such table: x: SQLITE_ERROR}
   * @param applied what the ledger records after the failure (everything applied before it), in order
   * @param appliedByThisCall the part of {@code applied} this call added
   */
  public MigrationFailedException(
      String binding,
      String failedFile,
      String error,
      List<String> applied,
      List<String> appliedByThisCall) {
    super(message(binding, failedFile, error, applied));
    this.binding = binding;
    this.failedFile = failedFile;
    this.error = error;
    this.applied = List.copyOf(applied);
    this.appliedByThisCall = List.copyOf(appliedByThisCall);
  }

  private static String message(
      String binding, String failedFile, String error, List<String> applied) {
    return "migration "
        + failedFile
        + " failed on "
        + binding
        + ": "
        + error
        + "; applied before it: "
        + (applied.isEmpty() ? "none" : String.join(", ", applied));
  }

  public String binding() {
    return binding;
  }

  public String failedFile() {
    return failedFile;
  }

  public String error() {
    return error;
  }

  /** The ledger after the failure: everything applied before the failed file, by any run. */
  public List<String> applied() {
    return applied;
  }

  /** The files this call applied before the failure. */
  public List<String> appliedByThisCall() {
    return appliedByThisCall;
  }
}
