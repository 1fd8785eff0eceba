package dev.flaredeploy.activities.local;

import java.util.List;

/**
 * A {@code wrangler d1} command against a local database failed for a reason other than a migration's SQL
 * (unknown binding or environment, a broken config, a dump that does not apply, wrangler itself). The
 * message carries wrangler's own complaint.
 */
public class D1CommandException extends RuntimeException {
  private final String binding;
  private final String wranglerMessage;

  public D1CommandException(String binding, List<String> args, String wranglerMessage) {
    super(
        "wrangler "
            + String.join(" ", args.subList(0, Math.min(2, args.size())))
            + " failed on "
            + binding
            + ": "
            + wranglerMessage);
    this.binding = binding;
    this.wranglerMessage = wranglerMessage;
  }

  public String binding() {
    return binding;
  }

  /** What wrangler printed as the reason, ANSI removed. */
  public String wranglerMessage() {
    return wranglerMessage;
  }
}
