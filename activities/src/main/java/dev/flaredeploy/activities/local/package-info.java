/**
 * The local target, kept under the flaredeploy home and driven through the pinned wrangler: where its
 * files live ({@link dev.flaredeploy.activities.local.LocalWorkspace}), its D1 databases with {@code
 * --local --persist-to} ({@link dev.flaredeploy.activities.local.LocalDatabases}), and its release
 * runtime ({@link dev.flaredeploy.activities.local.LocalReleases}): a detached, supervised {@code
 * wrangler dev} per (service, environment) that outlives the JVM that started it and is recorded in a
 * runtime file, so that any later process can inspect, replace or stop it.
 */
package dev.flaredeploy.activities.local;
