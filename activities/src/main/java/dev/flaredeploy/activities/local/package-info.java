/**
 * The local target, kept under the flaredeploy home: where its files live ({@link
 * dev.flaredeploy.activities.local.LocalWorkspace}), its D1 databases, read and written directly in the
 * SQLite files of wrangler's local mode with restore points as copies of them ({@link
 * dev.flaredeploy.activities.local.LocalDatabases}, {@link dev.flaredeploy.activities.local.D1Files}), and
 * its release runtime ({@link dev.flaredeploy.activities.local.LocalReleases}): a detached, supervised
 * {@code wrangler dev} per (service, environment) that outlives the JVM that started it and is recorded in a
 * runtime file, so that any later process can inspect, replace or stop it.
 */
package dev.flaredeploy.activities.local;
