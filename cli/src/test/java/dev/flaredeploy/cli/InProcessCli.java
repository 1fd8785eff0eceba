package dev.flaredeploy.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs a flaredeploy command line in this JVM, as a user would run it in {@code workingDirectory} with {@code
 * environment}: the exit code, stdout and stderr. For commands that need no Temporal worker of their own.
 */
final class InProcessCli {
  private final Map<String, String> environment;
  private final Path workingDirectory;

  InProcessCli(Map<String, String> environment, Path workingDirectory) {
    this.environment = Map.copyOf(environment);
    this.workingDirectory = workingDirectory;
  }

  CliRunner.Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = FlaredeployCommand.commandLine(environment, workingDirectory);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exitCode = cli.execute(args);
    cli.getOut().flush();
    cli.getErr().flush();
    return new CliRunner.Result(exitCode, out.toString(), err.toString());
  }
}
