package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The answer to a lock request: granted at once, or queued (first in, first out) behind {@code holder}.
 * A queued requester is told by the signal {@code database-lock-granted} when its turn comes.
 *
 * @param holder who holds the lock now (or is being granted it) when queued; null when granted
 * @param ahead how many requests are before this one in the queue (0: next), when queued
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LockTicket(String lockId, boolean granted, LockHolder holder, int ahead) {}
