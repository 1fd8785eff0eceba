package dev.flaredeploy.activities.local;

/**
 * A local database flaredeploy cannot pick for the user: it exists both in an environment's own state and
 * in the shared place and the two differ, or a binding without database_id would share a database with
 * another service. Nothing was changed; the message names the files and what to do. A retry cannot help.
 */
public class LocalDatabaseConflictException extends RuntimeException {
  public LocalDatabaseConflictException(String message) {
    super(message);
  }
}
