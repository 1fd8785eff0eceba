package dev.flaredeploy.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.temporal.testserver.TestServer;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A worker finds out by itself whether its server is the in-memory Java test server. */
class ServerKindTest {

  @Test
  void theDevServerOnAPortIsRecognisedAsTheJavaTestServer() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (DevServer server = DevServer.start(port);
        TemporalConnection connection = TemporalConnection.connect(
            TemporalSettings.load("127.0.0.1:" + port, null, Map.of()), Duration.ofSeconds(10))) {
      assertThat(ServerKind.of(connection)).isEqualTo(ServerKind.JAVA_TEST_SERVER);
    }
  }

  @Test
  void theEmbeddedInProcessServerIsRecognisedAsTheJavaTestServer() {
    TestServer.InProcessTestServer server = TestServer.createServer(true);
    try {
      assertThat(ServerKind.of(server.getChannel(), Duration.ofSeconds(5))).isEqualTo(ServerKind.JAVA_TEST_SERVER);
    } finally {
      server.close();
    }
  }

  @Test
  void aServerWithoutTheTestServiceIsARealTemporalServer() throws Exception {
    String name = InProcessServerBuilder.generateName();
    Server server = InProcessServerBuilder.forName(name).directExecutor().build().start(); // answers UNIMPLEMENTED
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      assertThat(ServerKind.of(channel, Duration.ofSeconds(5))).isEqualTo(ServerKind.TEMPORAL_SERVER);
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  @Test
  void stickyExecutionIsOffAgainstTheTestServerAndOnAgainstARealOne() {
    StickyExecution test = StickyExecution.choose(false, Map.of(), () -> ServerKind.JAVA_TEST_SERVER);
    assertThat(test.sticky()).isFalse();
    assertThat(test.reason()).contains("in-memory Java test server", "sticky execution off");

    StickyExecution real = StickyExecution.choose(false, Map.of(), () -> ServerKind.TEMPORAL_SERVER);
    assertThat(real.sticky()).isTrue();
    assertThat(real.reason()).contains("sticky execution on");
  }

  @Test
  void noStickyAndTheVariableTurnItOffWithoutAskingTheServer() {
    AtomicBoolean asked = new AtomicBoolean();
    StickyExecution flag = StickyExecution.choose(true, Map.of(), () -> {
      asked.set(true);
      return ServerKind.TEMPORAL_SERVER;
    });
    StickyExecution variable = StickyExecution.choose(false, Map.of("TEMPORAL_DISABLE_STICKY", "TRUE"), () -> {
      asked.set(true);
      return ServerKind.TEMPORAL_SERVER;
    });
    assertThat(flag.sticky()).isFalse();
    assertThat(flag.reason()).contains("--no-sticky");
    assertThat(variable.sticky()).isFalse();
    assertThat(variable.reason()).contains("TEMPORAL_DISABLE_STICKY=true");
    assertThat(asked).isFalse();
  }
}
