package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.model.FleetReport;
import dev.flaredeploy.workflows.model.FleetRequest;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A fleet run: many (service, environment) deployments in waves with a failure budget. Each member is an
 * ordinary {@link DeploymentWorkflow}, started as a child under its usual id ({@link DeploymentIds}), so the
 * one-deployment-per-environment lock, the member's history and every command keep working per member, and each
 * member undoes its own changes when it fails or is cancelled.
 *
 * <p>The workflow id is the fleet's lock ({@link FleetIds}). Cancelling the fleet cancels its running members
 * (each compensates) and skips the rest. A run that does not succeed fails in Temporal with the final {@link
 * FleetReport} as its failure's details, or ends cancelled (Temporal keeps no details then: the query, the memo
 * and the members' own runs tell); a large fleet continues as new, carrying the members' outcomes. The memo
 * ({@link DeploymentAttributes#FLEET_MEMO}) holds the report without its members.
 */
@WorkflowInterface
public interface FleetWorkflow {

  /** Runs the fleet; returns the report of a fleet whose every member succeeded. */
  @WorkflowMethod(name = "Fleet")
  FleetReport deploy(FleetRequest request);

  /** The fleet as it is now, every member included. Needs a live worker. */
  @QueryMethod(name = "progress")
  FleetReport progress();
}
