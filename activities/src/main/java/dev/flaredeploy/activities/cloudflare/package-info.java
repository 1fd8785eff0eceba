/**
 * The Cloudflare target: remote D1 with Time Travel restore points, Worker versions and deployments, and
 * rollback, all through the real wrangler CLI ({@link dev.flaredeploy.activities.cloudflare.CloudflareTarget}).
 * Credentials come from the worker's environment only and are scrubbed from everything wrangler prints
 * ({@link dev.flaredeploy.activities.cloudflare.SecretScrubber}).
 */
package dev.flaredeploy.activities.cloudflare;
