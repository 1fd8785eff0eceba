/** Running external programs (wrangler, git) non-interactively, with timeouts and heartbeat ticks. */
package dev.flaredeploy.activities.process;
