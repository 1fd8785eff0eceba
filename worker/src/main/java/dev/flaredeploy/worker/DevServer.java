package dev.flaredeploy.worker;

import io.temporal.testserver.TestServer;
import java.io.Closeable;

/**
 * The in-memory Temporal test server on a port, for machines without Docker. It keeps nothing on disk: a
 * restart loses every deployment's history. Time runs for real (no time skipping). It has no UI.
 */
public final class DevServer implements Closeable {
  private final TestServer.PortBoundTestServer server;

  private DevServer(TestServer.PortBoundTestServer server) {
    this.server = server;
  }

  public static DevServer start(int port) {
    return new DevServer(TestServer.createPortBoundServer(port, true));
  }

  @Override
  public void close() {
    server.close();
  }
}
