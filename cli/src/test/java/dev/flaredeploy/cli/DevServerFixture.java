package dev.flaredeploy.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the end-to-end ITs of the local target share: per test class a flaredeploy home, the packaged CLI
 * ({@link CliRunner}), copies of the example ({@link LocalProjects}) and one {@code flaredeploy dev-server}
 * with its worker ({@link DevServerProcess}). After the class, each released Worker is stopped with
 * {@code flaredeploy local stop}, then the dev-server, by its PID.
 */
abstract class DevServerFixture {
  @TempDir static Path home;
  static CliRunner cli;
  static LocalProjects projects;
  static DevServerProcess devServer;
  static String address;
  /** {@code local stop} arguments of each Worker the class released. */
  private static final List<List<String>> releases = new ArrayList<>();

  @BeforeAll
  static void startDevServer() throws Exception {
    releases.clear();
    cli = new CliRunner(home);
    projects = new LocalProjects(home, cli);
    devServer = DevServerProcess.start(cli, home);
    address = devServer.address();
  }

  /** Stops {@code service}'s local release after the class ({@code localStopOptions}: e.g. its --env). */
  static void stopAfterwards(String service, String... localStopOptions) {
    List<String> args = new ArrayList<>(List.of("local", "stop", service));
    args.addAll(List.of(localStopOptions));
    releases.add(args);
  }

  @AfterAll
  static void stopEverything() throws Exception {
    for (List<String> args : releases) {
      cli.run(args.toArray(String[]::new));
    }
    if (devServer != null) {
      devServer.close();
    }
  }
}
