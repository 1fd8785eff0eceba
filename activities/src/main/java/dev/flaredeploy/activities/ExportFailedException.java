package dev.flaredeploy.activities;

/**
 * A database export that a target supports failed for this database (on Cloudflare, for example, D1 cannot
 * export a database with FTS5 virtual tables). validate-schema then skips the checks that need the export
 * and says why in a warning; it does not fail the deployment.
 */
public class ExportFailedException extends RuntimeException {
  public ExportFailedException(String message) {
    super(message);
  }
}
