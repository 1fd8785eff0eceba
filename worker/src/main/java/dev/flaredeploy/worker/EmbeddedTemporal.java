package dev.flaredeploy.worker;

import dev.flaredeploy.workflows.DeploymentActivities;
import io.temporal.testserver.TestServer;

/**
 * A Temporal server and worker inside this process, for a deployment when no server runs. Nothing
 * survives the process: it is for trying flaredeploy out, not for durability.
 */
public final class EmbeddedTemporal implements AutoCloseable {
  private final TestServer.InProcessTestServer server;
  private final TemporalConnection connection;
  private final PipelineWorker worker;

  private EmbeddedTemporal(
      TestServer.InProcessTestServer server, TemporalConnection connection, PipelineWorker worker) {
    this.server = server;
    this.connection = connection;
    this.worker = worker;
  }

  public static EmbeddedTemporal start(
      String namespace, String taskQueue, DeploymentActivities activities, Object... more) {
    TestServer.InProcessTestServer server = TestServer.createServer(true);
    TemporalConnection connection = TemporalConnection.inProcess(server.getChannel(), namespace);
    SearchAttributeSetup.ensure(connection.stubs(), namespace);
    PipelineWorker worker = PipelineWorker.start(connection.client(), taskQueue, false, activities, more);
    return new EmbeddedTemporal(server, connection, worker);
  }

  public TemporalConnection connection() {
    return connection;
  }

  @Override
  public void close() {
    worker.close();
    connection.close();
    server.close();
  }
}
