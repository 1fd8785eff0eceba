package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The lock workflow tells a queued deployment that the lock is now its own (signal {@code
 * database-lock-granted}).
 *
 * @param previous who held it before (null when nobody did)
 * @param how what the previous holder did, to follow its name: {@code "released it"}, {@code "ended without
 *     releasing it"} (its run closed: terminated, timed out)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LockGrant(String lockId, LockHolder previous, String how) {}
