/**
 * The deterministic deployment pipeline ({@link dev.flaredeploy.workflows.DeploymentWorkflow}), the
 * contract it asks of the world ({@link dev.flaredeploy.workflows.DeploymentActivities}), and the names
 * and ids users see. Nothing here touches files, processes, clocks or the network.
 */
package dev.flaredeploy.workflows;
