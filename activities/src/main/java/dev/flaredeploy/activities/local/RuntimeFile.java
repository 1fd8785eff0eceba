package dev.flaredeploy.activities.local;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The JSON form of {@link RunningRelease} in {@code runtime.json}: plain strings and numbers so that
 * people and scripts can read it. Fields are only ever added; unknown fields are ignored.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record RuntimeFile(
    int format,
    String service,
    String environment,
    String version,
    String previousVersion,
    long pid,
    int port,
    int inspectorPort,
    String url,
    String workdir,
    String configFile,
    String logFile,
    String startedAt) {

  static final int FORMAT = 1;

  static RuntimeFile of(RunningRelease r) {
    return new RuntimeFile(
        FORMAT,
        r.service(),
        r.environment(),
        r.version(),
        r.previousVersion(),
        r.pid(),
        r.port(),
        r.inspectorPort(),
        r.url(),
        r.workdir().toString(),
        r.configFile().toString(),
        r.logFile().toString(),
        r.startedAt().toString());
  }

  RunningRelease toRelease() {
    return new RunningRelease(
        service,
        environment,
        version,
        previousVersion,
        pid,
        port,
        inspectorPort,
        Path.of(workdir),
        Path.of(configFile),
        Path.of(logFile),
        Instant.parse(startedAt));
  }
}
