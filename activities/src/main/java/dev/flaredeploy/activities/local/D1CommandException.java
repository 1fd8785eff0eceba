package dev.flaredeploy.activities.local;

import java.util.List;

/**
 * A local database could not be read or written for a reason other than a migration's SQL: locked for
 * longer than the busy timeout, unreadable, a full disk, a migration file that differs from the plan, or
 * (from a {@code wrangler d1} command) an unknown binding or a broken config. A retry may help. The message
 * carries SQLite's (or wrangler's) own complaint.
 */
public class D1CommandException extends RuntimeException {
  private final String binding;
  private final String reason;

  /** A failed {@code wrangler d1} command. */
  public D1CommandException(String binding, List<String> args, String wranglerMessage) {
    super(
        "wrangler "
            + String.join(" ", args.subList(0, Math.min(2, args.size())))
            + " failed on "
            + binding
            + ": "
            + wranglerMessage);
    this.binding = binding;
    this.reason = wranglerMessage;
  }

  /** A failed direct read or write of the binding's local database. */
  public D1CommandException(String binding, String reason) {
    super("local D1 database " + binding + ": " + reason);
    this.binding = binding;
    this.reason = reason;
  }

  public String binding() {
    return binding;
  }

  /** Why it failed (SQLite's or wrangler's complaint, ANSI removed). */
  public String wranglerMessage() {
    return reason;
  }
}
