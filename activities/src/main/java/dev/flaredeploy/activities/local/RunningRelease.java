package dev.flaredeploy.activities.local;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A release of the local target as recorded in its runtime file: the detached {@code wrangler dev}
 * serving {@code version} on {@code 127.0.0.1:port}.
 *
 * @param version the source id of the released snapshot
 * @param previousVersion the version that was released before this one on the environment, or null
 * @param pid the wrangler wrapper; it leads its own session and process group
 * @param workdir the working copy it serves (under {@code releasesDir}, kept for rollback)
 * @param configFile the wrangler config it was started with
 * @param logFile where its stdout and stderr are appended
 */
public record RunningRelease(
    String service,
    String environment,
    String version,
    String previousVersion,
    long pid,
    int port,
    int inspectorPort,
    Path workdir,
    Path configFile,
    Path logFile,
    Instant startedAt) {

  /** Where the release answers. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }
}
