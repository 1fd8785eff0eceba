/**
 * The deterministic deployment pipeline ({@link dev.flaredeploy.workflows.DeploymentWorkflow}), fleets of
 * deployments in waves ({@link dev.flaredeploy.workflows.FleetWorkflow}), the contract they ask of the world ({@link dev.flaredeploy.workflows.DeploymentActivities}), and the names
 * and ids users see. Nothing here touches files, processes, clocks or the network.
 */
package dev.flaredeploy.workflows;
