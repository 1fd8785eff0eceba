package dev.flaredeploy.activities.releases;

/** A rollback cannot go ahead; the message says why and what to do instead. Nothing was changed. */
public final class RollbackRefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RollbackRefusedException(String message) {
    super(message);
  }
}
