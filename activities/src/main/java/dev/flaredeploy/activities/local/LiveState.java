package dev.flaredeploy.activities.local;

import java.util.Optional;

/**
 * What serves an environment of the local target, as observed now.
 *
 * @param recorded the runtime file's content; null when {@code status} is {@link LiveStatus#NONE}
 * @param detail one line saying what was observed, e.g. for {@code flaredeploy local status}
 */
public record LiveState(LiveStatus status, RunningRelease recorded, String detail) {

  /** The release, when it is {@link LiveStatus#SERVING}. */
  public Optional<RunningRelease> serving() {
    return status == LiveStatus.SERVING ? Optional.of(recorded) : Optional.empty();
  }
}
