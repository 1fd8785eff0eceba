package dev.flaredeploy.worker;

import com.google.protobuf.Empty;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.temporal.api.testservice.v1.TestServiceGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Which kind of Temporal server a connection reaches. Only the Java test server ({@code flaredeploy
 * dev-server}, embedded mode, the SDKs' time-skipping test server) implements Temporal's {@code TestService};
 * a real server (self-hosted, {@code temporal server start-dev}, Temporal Cloud) answers {@code UNIMPLEMENTED}
 * or refuses the call. The probe is one {@code GetCurrentTime}, which only reads the server's clock.
 */
public enum ServerKind {
  /** The in-memory Java test server: keeps nothing on disk, never moves a workflow off a dead worker's sticky queue. */
  JAVA_TEST_SERVER,
  /** Any other server: it handles sticky queues of dead workers itself. */
  TEMPORAL_SERVER;

  /**
   * Asks the server behind {@code channel}. Anything but an answer (unimplemented, refused, unauthenticated,
   * no answer within {@code timeout}) means a real server: the conservative side, since only the test server
   * needs sticky execution off.
   */
  public static ServerKind of(Channel channel, Duration timeout) {
    try {
      TestServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .getCurrentTime(Empty.getDefaultInstance());
      return JAVA_TEST_SERVER;
    } catch (StatusRuntimeException e) {
      return TEMPORAL_SERVER;
    }
  }

  /** As {@link #of(Channel, Duration)} for a connection, waiting up to 5 s. */
  public static ServerKind of(TemporalConnection connection) {
    return of(connection.stubs().getRawChannel(), Duration.ofSeconds(5));
  }
}
