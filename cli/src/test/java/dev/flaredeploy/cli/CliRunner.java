package dev.flaredeploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the packaged {@code flaredeploy.jar} as a user would, in its own process. */
final class CliRunner {
  static final Path ROOT = Path.of(System.getProperty("flaredeploy.root", "..")).toAbsolutePath().normalize();
  static final Path JAR = Path.of(System.getProperty("flaredeploy.jar", "target/flaredeploy.jar")).toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Path home;
  private final Map<String, String> extraEnvironment;

  CliRunner(Path home) {
    this(home, Map.of());
  }

  /** @param extraEnvironment more variables for every command, e.g. Cloudflare credentials */
  CliRunner(Path home, Map<String, String> extraEnvironment) {
    this.home = home;
    this.extraEnvironment = Map.copyOf(extraEnvironment);
  }

  record Result(int exitCode, String stdout, String stderr) {
    JsonNode json() {
      try {
        return JSON.readTree(stdout);
      } catch (IOException e) {
        throw new AssertionError("stdout is not JSON: " + stdout + "\nstderr: " + stderr, e);
      }
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  /** The environment the CLI (and the worker it may start) sees: our home, the pinned wrangler. */
  Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    env.put("FLAREDEPLOY_HOME", home.toString());
    env.put("FLAREDEPLOY_ROOT", ROOT.toString());
    env.putAll(extraEnvironment);
    return env;
  }

  ProcessBuilder command(String... args) {
    List<String> argv = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
    argv.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(argv);
    builder.environment().remove("TEMPORAL_ADDRESS");
    builder.environment().putAll(environment());
    return builder;
  }

  Result run(String... args) {
    try {
      Path out = Files.createTempFile(home, "out-", ".txt");
      Path err = Files.createTempFile(home, "err-", ".txt");
      Process process = command(args)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
          .start();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("flaredeploy " + String.join(" ", args) + " did not finish within 5 minutes");
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean listening(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** GET on the local Worker; status and body, or status -1 when nothing answers. */
  static HttpResponse<String> get(int port, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AssertionError("nothing answers on port " + port + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static HttpResponse<String> post(int port, String path, String json) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(json))
          .header("content-type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
