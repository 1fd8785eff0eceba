package dev.flaredeploy.activities.local;

/**
 * A local database could not be read or written for a reason other than a migration's SQL: locked for
 * longer than the busy timeout, unreadable, a full disk, or a migration file that differs from the plan. A
 * retry may help. The message carries SQLite's own complaint.
 */
public class D1CommandException extends RuntimeException {
  private final String binding;

  /** A failed direct read or write of the binding's local database. */
  public D1CommandException(String binding, String reason) {
    super("local D1 database " + binding + ": " + reason);
    this.binding = binding;
  }

  public String binding() {
    return binding;
  }
}
