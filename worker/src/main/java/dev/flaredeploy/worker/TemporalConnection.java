package dev.flaredeploy.worker;

import io.grpc.ManagedChannel;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;

/** A connected client: the stubs and a workflow client for one namespace. Close when done. */
public final class TemporalConnection implements AutoCloseable {
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final String description;

  private TemporalConnection(WorkflowServiceStubs stubs, String namespace, String description) {
    this.stubs = stubs;
    this.client = WorkflowClient.newInstance(
        stubs, WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
    this.description = description;
  }

  /**
   * Connects and checks the server answers within {@code timeout}.
   *
   * @throws TemporalUnreachableException when it does not
   */
  public static TemporalConnection connect(TemporalSettings settings, Duration timeout) {
    WorkflowServiceStubsOptions options = settings.profile().toWorkflowServiceStubsOptions();
    try {
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newConnectedServiceStubs(options, timeout);
      return new TemporalConnection(stubs, settings.namespace(), settings.address());
    } catch (RuntimeException e) {
      throw new TemporalUnreachableException(
          "no Temporal server answered at " + settings.address() + " within " + timeout.toSeconds()
              + " s (" + rootMessage(e) + ")", e);
    }
  }

  /**
   * Whether anything accepts TCP connections at {@code host:port}: a refused connection answers at once,
   * where a gRPC connect would wait for its whole timeout.
   */
  public static boolean listening(String address, Duration timeout) {
    int colon = address.lastIndexOf(':');
    if (colon < 0) {
      return true;
    }
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress(address.substring(0, colon),
          Integer.parseInt(address.substring(colon + 1))), (int) timeout.toMillis());
      return true;
    } catch (java.io.IOException | NumberFormatException e) {
      return false;
    }
  }

  /** A connection over an in-process channel (embedded mode, tests). */
  public static TemporalConnection inProcess(ManagedChannel channel, String namespace) {
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setChannel(channel).build());
    return new TemporalConnection(stubs, namespace, "in-process");
  }

  public WorkflowServiceStubs stubs() {
    return stubs;
  }

  public WorkflowClient client() {
    return client;
  }

  public String namespace() {
    return client.getOptions().getNamespace();
  }

  public String description() {
    return description;
  }

  @Override
  public void close() {
    stubs.shutdown();
    stubs.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
