package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A deployment run that holds, or waits for, the lock of one database ({@code DatabaseLockWorkflow}).
 *
 * @param workflowId the deployment's workflow id ({@code deploy:<target>:<service>:<environment>})
 * @param runId the run: the lock is the run's, so a later run of the same deployment id is someone else
 * @param service the Worker the deployment deploys, for messages ("waiting for api's deployment")
 * @param environment its wrangler environment
 * @param binding what the deployment calls the database (its D1 binding)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LockHolder(String workflowId, String runId, String service, String environment, String binding) {

  /** {@code api's deployment (production)}: how messages name this deployment. */
  public String describe() {
    return service + "'s deployment (" + environment + ")";
  }
}
