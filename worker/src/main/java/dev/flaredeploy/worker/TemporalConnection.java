package dev.flaredeploy.worker;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A connected client: the stubs and a workflow client for one namespace. Close when done.
 *
 * <p>A connection over the network has an event loop of its own, ended by {@link #close()}. gRPC's shared one
 * outlives the channel by a second, and a JVM that exits while a thread waits in native code (an event loop in
 * {@code epoll_wait}) waits up to 300 ms for it: a third of a short command's time.
 */
public final class TemporalConnection implements AutoCloseable {
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  private final String description;
  private final EventLoopGroup eventLoop;

  private TemporalConnection(WorkflowServiceStubs stubs, String namespace, String description, EventLoopGroup eventLoop) {
    this.stubs = stubs;
    this.client = WorkflowClient.newInstance(
        stubs, WorkflowClientOptions.newBuilder().setNamespace(namespace).build());
    this.description = description;
    this.eventLoop = eventLoop;
  }

  /**
   * How long a server that accepts connections may take to answer: one that is there but busy (a loaded
   * machine, many CLIs at once) is waited for, where nothing listening fails within {@code timeout}.
   */
  static final Duration BUSY_SERVER_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Connects and checks the server answers: within {@code timeout} when nothing accepts connections at the
   * address, within {@link #BUSY_SERVER_TIMEOUT} (or {@code timeout} if longer) when something does.
   *
   * @throws TemporalUnreachableException when it does not
   */
  public static TemporalConnection connect(TemporalSettings settings, Duration timeout) {
    if (listening(settings.address(), timeout)) {
      timeout = timeout.compareTo(BUSY_SERVER_TIMEOUT) > 0 ? timeout : BUSY_SERVER_TIMEOUT;
    }
    WorkflowServiceStubsOptions profile = settings.profile().toWorkflowServiceStubsOptions();
    EventLoopGroup eventLoop = new NioEventLoopGroup(0, new DefaultThreadFactory("flaredeploy-grpc", true));
    Consumer<ManagedChannelBuilder<?>> initializer = profile.getChannelInitializer();
    WorkflowServiceStubsOptions options = WorkflowServiceStubsOptions.newBuilder(profile)
        .setChannelInitializer(builder -> {
          if (initializer != null) {
            initializer.accept(builder);
          }
          if (builder instanceof NettyChannelBuilder netty) {
            netty.eventLoopGroup(eventLoop).channelType(NioSocketChannel.class);
          }
        })
        .build();
    try {
      WorkflowServiceStubs stubs = WorkflowServiceStubs.newConnectedServiceStubs(options, timeout);
      return new TemporalConnection(stubs, settings.namespace(), settings.address(), eventLoop);
    } catch (RuntimeException e) {
      eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
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
    return new TemporalConnection(stubs, namespace, "in-process", null);
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
    stubs.awaitTermination(5, TimeUnit.SECONDS);
    if (eventLoop != null) {
      eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
