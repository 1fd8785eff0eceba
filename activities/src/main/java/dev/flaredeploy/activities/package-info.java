/**
 * The side of the world: {@link dev.flaredeploy.activities.DeploymentActivitiesImpl} adapts the steps to
 * Temporal (heartbeats, typed failures); targets ({@link dev.flaredeploy.activities.DeploymentTarget})
 * do the work: config in {@code config}, sources in {@code source}, wrangler in {@code process}, the
 * local target in {@code local}, HTTP checks in {@code smoke}.
 */
package dev.flaredeploy.activities;
