/**
 * The Cloudflare target ({@link dev.flaredeploy.activities.cloudflare.CloudflareTarget}), in two roles: the
 * D1 side ({@link dev.flaredeploy.activities.cloudflare.CloudflareDatabases}: reads, migrations, Time Travel
 * restore points, provisioning, all through Cloudflare's REST API) and the Worker side ({@link
 * dev.flaredeploy.activities.cloudflare.CloudflareReleases}: what serves, read directly; releases, rollouts
 * and rollbacks through the real wrangler CLI). Credentials come from the worker's environment only and are
 * scrubbed from everything Cloudflare or wrangler answers ({@link
 * dev.flaredeploy.activities.cloudflare.SecretScrubber}).
 */
package dev.flaredeploy.activities.cloudflare;
