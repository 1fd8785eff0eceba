package dev.flaredeploy.activities;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for tests of this module: 18900–18999 on 127.0.0.1 only (other test suites on this machine use
 * other ranges). Servers under test use the lower half, helper ports (wrangler's inspector) the upper.
 */
public final class TestPorts {
  private TestPorts() {}

  /** A port of 18900–18949 that is free now. */
  public static int free() {
    return freeIn(18900, 18949);
  }

  /** A port of 18950–18999 that is free now. */
  public static int freeHelper() {
    return freeIn(18950, 18999);
  }

  private static int freeIn(int first, int last) {
    int span = last - first + 1;
    int offset = ThreadLocalRandom.current().nextInt(span);
    for (int i = 0; i < span; i++) {
      int port = first + (offset + i) % span;
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException busy) {
        // try the next one
      }
    }
    throw new IllegalStateException("no free port in " + first + "–" + last);
  }
}
