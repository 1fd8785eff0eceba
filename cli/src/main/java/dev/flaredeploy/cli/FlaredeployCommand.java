package dev.flaredeploy.cli;

import dev.flaredeploy.cli.client.UnknownDeploymentException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code flaredeploy}: durable deployments of Cloudflare Workers and their D1 databases.
 *
 * <p>The environment and working directory every command sees are this object's, so that a test can run a
 * command in-process ({@link #commandLine(Map, Path)}, with its own out and err writers) as a user would run it.
 */
@Command(
    name = "flaredeploy",
    mixinStandardHelpOptions = true,
    version = "flaredeploy 0.1.0",
    description = "Durable, resumable deployments of Cloudflare Workers and their D1 databases, on Temporal.",
    subcommands = {
      InitCommand.class,
      DoctorCommand.class,
      DeployCommand.class,
      PlanCommand.class,
      MigrationsCommand.class,
      StatusCommand.class,
      ListCommand.class,
      HistoryCommand.class,
      WatchCommand.class,
      CancelCommand.class,
      ApproveCommand.class,
      RejectCommand.class,
      ReleasesCommand.class,
      RollbackCommand.class,
      WorkerCommand.class,
      DevServerCommand.class,
      LocalCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n")
public class FlaredeployCommand {
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "log more, and show stack traces")
  boolean verbose;

  private final Map<String, String> environment;
  private final Path workingDirectory;

  FlaredeployCommand(Map<String, String> environment, Path workingDirectory) {
    this.environment = Map.copyOf(environment);
    this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line in this process's environment and returns its exit code. */
  public static int run(String... args) {
    for (String arg : args) {
      if (arg.equals("--verbose")) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
      }
    }
    CommandLine cli = commandLine(System.getenv(), Path.of(""));
    try {
      return cli.execute(args);
    } finally {
      cli.getOut().flush();
      cli.getErr().flush();
    }
  }

  /** The environment variables the commands see (the process's own, or a test's). */
  static Map<String, String> environment(CommandSpec spec) {
    return ((FlaredeployCommand) spec.root().userObject()).environment;
  }

  /** The directory relative project paths are resolved against. */
  static Path workingDirectory(CommandSpec spec) {
    return ((FlaredeployCommand) spec.root().userObject()).workingDirectory;
  }

  static CommandLine commandLine() {
    return commandLine(System.getenv(), Path.of(""));
  }

  /** The command line for {@code environment} and {@code workingDirectory}, with flaredeploy's error handling. */
  static CommandLine commandLine(Map<String, String> environment, Path workingDirectory) {
    CommandLine cli = new CommandLine(new FlaredeployCommand(environment, workingDirectory));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExitCodeExceptionMapper(e -> e instanceof CliException c ? c.exitCode() : ExitCode.UNAVAILABLE);
    cli.setParameterExceptionHandler((e, args) -> {
      // one line: what was wrong, and where the command's options are listed
      PrintWriter err = e.getCommandLine().getErr();
      String name = e.getCommandLine().getCommandSpec().qualifiedName();
      err.println(name + ": " + e.getMessage().strip().replaceAll("\\s*\\R\\s*", "; ") + " (see '" + name + " --help')");
      return ExitCode.INVALID_INPUT;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
      PrintWriter err = commandLine.getErr();
      boolean verbose = parsed.matchedOption("--verbose") != null;
      if (e instanceof UnknownDeploymentException) {
        err.println("flaredeploy: " + e.getMessage());
        return ExitCode.REFUSED;
      }
      if (e instanceof CliException c) {
        err.println("flaredeploy: " + c.getMessage());
        if (verbose && c.getCause() != null) {
          c.getCause().printStackTrace(err);
        }
        return c.exitCode();
      }
      err.println("flaredeploy: internal error: " + e + (verbose ? "" : " (run with --verbose for details)"));
      if (verbose) {
        e.printStackTrace(err);
      }
      return ExitCode.UNAVAILABLE;
    });
    for (CommandLine sub : cli.getSubcommands().values()) {
      sub.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n");
      sub.getCommandSpec().usageMessage().exitCodeList(ExitCode.HELP);
    }
    cli.getCommandSpec().usageMessage().exitCodeList(ExitCode.HELP);
    return cli;
  }
}
