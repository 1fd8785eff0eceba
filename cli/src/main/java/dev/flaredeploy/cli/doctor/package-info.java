/**
 * {@code flaredeploy doctor}: what a machine needs to deploy (Java, Node.js, the pinned wrangler, Temporal, the
 * flaredeploy home, git) and, for Cloudflare, whether the API token works. Each check says what it saw and,
 * when it fails, what to do. Checks read; the only thing they write is a probe file in the home, removed again.
 */
package dev.flaredeploy.cli.doctor;
