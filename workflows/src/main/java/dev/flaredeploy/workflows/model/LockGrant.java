package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The lock workflow tells a queued deployment that the lock is now its own (signal {@code
 * database-lock-granted}).
 *
 * @param previous who held it before (null when nobody did)
 * @param how {@code "released"}, or why the lock was taken from the previous holder (its run ended without
 *     releasing it)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LockGrant(String lockId, LockHolder previous, String how) {}
