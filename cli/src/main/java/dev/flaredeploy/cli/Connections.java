package dev.flaredeploy.cli;

import dev.flaredeploy.cli.client.Deployments;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.worker.TemporalSettings;
import dev.flaredeploy.worker.TemporalUnreachableException;
import java.time.Duration;

/** Connecting to Temporal from the global options; an unreachable server is exit code 4. */
final class Connections {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private Connections() {}

  static TemporalSettings settings(FlaredeployCommand root) {
    return TemporalSettings.load(root.address, root.namespace, System.getenv());
  }

  static TemporalConnection connect(FlaredeployCommand root) {
    TemporalSettings settings = settings(root);
    try {
      return TemporalConnection.connect(settings, CONNECT_TIMEOUT);
    } catch (TemporalUnreachableException e) {
      throw new CliException(ExitCode.UNAVAILABLE, e.getMessage()
          + (settings.explicit() ? "" : "; start one (docker compose up, or flaredeploy dev-server) or pass --address"), e);
    }
  }

  static Deployments deployments(FlaredeployCommand root, TemporalConnection connection) {
    return new Deployments(connection.client(), connection.stubs(), root.taskQueue);
  }
}
