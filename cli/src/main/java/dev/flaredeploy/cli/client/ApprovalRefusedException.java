package dev.flaredeploy.cli.client;

/**
 * An approve or reject the deployment refused (its validator): nothing waits, the digest is stale, or the sender
 * is not an approver. Nothing was recorded or changed.
 */
public class ApprovalRefusedException extends RuntimeException {
  private final String type;

  public ApprovalRefusedException(String type, String message) {
    super(message);
    this.type = type;
  }

  /** A failure type from {@code FailureTypes} (NotWaitingForApproval, StaleDigest, NotAnApprover). */
  public String type() {
    return type;
  }
}
