package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * A database lock as it is now: its holder and its queue (the lock workflow's query, and what it carries
 * over when it continues as new).
 *
 * @param holder null when free
 * @param heldSince ISO-8601 instant the holder got the lock; null when free
 * @param waiting queued requests, first in first out
 * @param previous who held the lock last (null before anyone did)
 * @param previousEnded how the last holding ended ({@link LockGrant#how})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LockState(
    LockHolder holder, String heldSince, List<LockHolder> waiting, LockHolder previous, String previousEnded) {
  public static final LockState FREE = new LockState(null, null, List.of(), null, null);
}
