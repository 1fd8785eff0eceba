/**
 * The local target: working copies of pinned sources ({@link dev.flaredeploy.activities.local.LocalWorkspace})
 * and their D1 databases ({@link dev.flaredeploy.activities.local.LocalDatabases}), kept under the flaredeploy
 * home and driven through the pinned wrangler with {@code --local --persist-to}.
 */
package dev.flaredeploy.activities.local;
