package dev.flaredeploy.activities.cloudflare.api;

import dev.flaredeploy.workflows.FailureTypes;
import java.util.List;
import java.util.Locale;

/**
 * D1 refused the SQL of a {@code /query} (API code 7500): a statement failed, and D1 rolled the whole batch
 * back. {@link #d1Message()} is D1's own words, e.g. {@code no such table: notes: SQLITE_ERROR}. Not
 * retryable: the same SQL fails the same way.
 */
public final class D1SqlException extends CloudflareApiException {
  /** D1's API code for a statement that failed. */
  public static final int SQL_ERROR = 7500;

  private final String d1Message;

  D1SqlException(String message, String d1Message, int status, List<ApiError> errors) {
    super(FailureTypes.CLOUDFLARE_REFUSED, false, message, status, errors, false);
    this.d1Message = d1Message;
  }

  public String d1Message() {
    return d1Message;
  }

  /** True when the statement read a table that does not exist (yet). */
  public boolean isMissingTable(String table) {
    return d1Message.toLowerCase(Locale.ROOT).contains("no such table: " + table.toLowerCase(Locale.ROOT));
  }

  /** True when an INSERT met the UNIQUE {@code column} of {@code table} (e.g. a ledger row already there). */
  public boolean isUniqueViolation(String table, String column) {
    return d1Message.contains("UNIQUE constraint failed: " + table + "." + column);
  }
}
