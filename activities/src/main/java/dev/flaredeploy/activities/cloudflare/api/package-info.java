/**
 * A small client of Cloudflare's API v4 ({@link dev.flaredeploy.activities.cloudflare.api.CloudflareApi}):
 * the same base URL, account and token wrangler would use, bounded jittered retries of what a retry can
 * help, typed failures that name what a call was for and what to fix, and no secret in any message. Public
 * for other parts of flaredeploy that talk to Cloudflare (for example a token check).
 */
package dev.flaredeploy.activities.cloudflare.api;
