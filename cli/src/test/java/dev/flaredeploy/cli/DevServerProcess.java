package dev.flaredeploy.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code flaredeploy dev-server} process for end-to-end tests, on a free port, logging to
 * {@code <home>/dev-server.log}. {@link #close()} stops it by its own PID (SIGTERM, then SIGKILL after 20 s).
 */
final class DevServerProcess implements AutoCloseable {
  private final Process process;
  private final int port;

  private DevServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts the dev server (with its worker unless {@code extraArgs} say otherwise); waits until it listens. */
  static DevServerProcess start(CliRunner cli, Path home, String... extraArgs)
      throws IOException, InterruptedException {
    int port = CliRunner.freePort();
    List<String> args = new ArrayList<>(List.of("dev-server", "--port", String.valueOf(port)));
    args.addAll(List.of(extraArgs));
    Process process = cli.command(args.toArray(String[]::new))
        .redirectOutput(home.resolve("dev-server.log").toFile())
        .redirectErrorStream(true)
        .start();
    DevServerProcess server = new DevServerProcess(process, port);
    for (int i = 0; i < 120 && !CliRunner.listening(port); i++) {
      if (!process.isAlive()) {
        throw new IllegalStateException("dev-server exited with " + process.exitValue() + "; see "
            + home.resolve("dev-server.log"));
      }
      Thread.sleep(250);
    }
    if (!CliRunner.listening(port)) {
      server.close();
      throw new IllegalStateException("dev-server did not listen on " + port + " within 30 s; see "
          + home.resolve("dev-server.log"));
    }
    return server;
  }

  /** host:port for {@code --address}. */
  String address() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
