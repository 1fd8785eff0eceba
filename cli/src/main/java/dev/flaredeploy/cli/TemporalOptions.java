package dev.flaredeploy.cli;

import dev.flaredeploy.cli.client.Deployments;
import dev.flaredeploy.cli.client.Fleets;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.worker.TemporalSettings;
import dev.flaredeploy.worker.TemporalUnreachableException;
import dev.flaredeploy.workflows.DeploymentIds;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where Temporal is: {@code --address}, {@code --namespace}, {@code --task-queue}, on every command that talks
 * to Temporal (and before the command's name). An unreachable server is exit code 4.
 */
final class TemporalOptions {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  @Spec(Spec.Target.MIXEE) CommandSpec mixee;

  @Option(names = "--address", paramLabel = "HOST:PORT",
      description = "Temporal frontend (else TEMPORAL_ADDRESS or the temporal.toml profile, else 127.0.0.1:7233)")
  String address;

  @Option(names = "--namespace", paramLabel = "NS", description = "Temporal namespace (else TEMPORAL_NAMESPACE, else default)")
  String namespace;

  @Option(names = "--task-queue", paramLabel = "Q",
      description = "task queue of the flaredeploy workers (default: " + DeploymentIds.DEFAULT_TASK_QUEUE + ")")
  String taskQueue;

  String taskQueue() {
    String queue = Inherited.nearest(mixee, TemporalOptions.class, o -> o.taskQueue);
    return queue != null ? queue : DeploymentIds.DEFAULT_TASK_QUEUE;
  }

  /** The flags over TEMPORAL_* variables and the temporal.toml profile. */
  TemporalSettings settings() {
    try {
      return TemporalSettings.load(Inherited.nearest(mixee, TemporalOptions.class, o -> o.address),
          Inherited.nearest(mixee, TemporalOptions.class, o -> o.namespace), FlaredeployCommand.environment(mixee));
    } catch (RuntimeException e) {
      throw new CliException(ExitCode.INVALID_INPUT, e.getMessage(), e);
    }
  }

  /**
   * True when no address was asked for (flag, variable or profile) and nothing listens at the default one: the
   * commands that can run an embedded server and worker then do (deploy, rollback, migrations accept, doctor's
   * report of it).
   */
  static boolean nothingAtDefaultAddress(TemporalSettings settings) {
    return !settings.explicit() && !TemporalConnection.listening(settings.address(), Duration.ofSeconds(1));
  }

  /** Connects; a server that does not answer is exit 4, with what to do when no address was asked for. */
  TemporalConnection connect() {
    return connect(null);
  }

  /** As {@link #connect()}, reporting the SDK's metrics to {@code metricsScope} (null: none). */
  TemporalConnection connect(com.uber.m3.tally.Scope metricsScope) {
    TemporalSettings settings = settings();
    try {
      return TemporalConnection.connect(settings, CONNECT_TIMEOUT, metricsScope);
    } catch (TemporalUnreachableException e) {
      throw new CliException(ExitCode.UNAVAILABLE, e.getMessage()
          + (settings.explicit() ? "" : "; start one (docker compose up, or flaredeploy dev-server) or pass --address"), e);
    }
  }

  Deployments deployments(TemporalConnection connection) {
    return new Deployments(connection.client(), connection.stubs(), taskQueue());
  }

  Fleets fleets(TemporalConnection connection) {
    return new Fleets(connection.client(), connection.stubs(), taskQueue());
  }
}
