package dev.flaredeploy.cli.client;

/** A deployment of the same (target, service, environment) is running. */
public class AlreadyRunningException extends RuntimeException {
  private final String workflowId;
  private final String runId;

  public AlreadyRunningException(String workflowId, String runId) {
    super("a deployment is already running: " + workflowId + " (run " + runId + ")");
    this.workflowId = workflowId;
    this.runId = runId;
  }

  public String workflowId() {
    return workflowId;
  }

  public String runId() {
    return runId;
  }
}
