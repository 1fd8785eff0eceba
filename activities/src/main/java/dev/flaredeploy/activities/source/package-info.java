/** Pinning the exact source of a deployment: content-addressed snapshots, from the working tree or git. */
package dev.flaredeploy.activities.source;
