package dev.flaredeploy.activities.local;

/** What {@link LocalReleases#inspect} found for an environment. */
public enum LiveStatus {
  /** The recorded wrangler runs and its port answers HTTP. */
  SERVING,
  /** The recorded wrangler runs but its port does not answer (still starting, or hung). */
  NOT_ANSWERING,
  /**
   * The recorded wrangler is gone (or its pid now belongs to another program). Leftover processes of its
   * group may still hold the port; {@link LocalReleases#stop} cleans them up.
   */
  DEAD,
  /** The recorded wrangler is gone and another program answers on its port. */
  FOREIGN_PROCESS_ON_PORT,
  /** Nothing was released on this environment (no runtime file). */
  NONE
}
