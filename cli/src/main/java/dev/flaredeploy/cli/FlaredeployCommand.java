package dev.flaredeploy.cli;

import dev.flaredeploy.cli.client.UnknownDeploymentException;
import dev.flaredeploy.workflows.DeploymentIds;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code flaredeploy}: durable deployments of Cloudflare Workers and their D1 databases. */
@Command(
    name = "flaredeploy",
    mixinStandardHelpOptions = true,
    version = "flaredeploy 0.1.0",
    description = "Durable, resumable deployments of Cloudflare Workers and their D1 databases, on Temporal.",
    subcommands = {
      DeployCommand.class,
      PlanCommand.class,
      MigrationsCommand.class,
      StatusCommand.class,
      ListCommand.class,
      HistoryCommand.class,
      WatchCommand.class,
      CancelCommand.class,
      WorkerCommand.class,
      DevServerCommand.class,
      LocalCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n")
public class FlaredeployCommand {

  @Option(names = "--address", scope = ScopeType.INHERIT, paramLabel = "HOST:PORT",
      description = "Temporal frontend (else TEMPORAL_ADDRESS or the temporal.toml profile, else 127.0.0.1:7233)")
  String address;

  @Option(names = "--namespace", scope = ScopeType.INHERIT,
      description = "Temporal namespace (else TEMPORAL_NAMESPACE, else default)")
  String namespace;

  @Option(names = "--task-queue", scope = ScopeType.INHERIT, defaultValue = DeploymentIds.DEFAULT_TASK_QUEUE,
      description = "task queue of the flaredeploy workers (default: ${DEFAULT-VALUE})")
  String taskQueue;

  @Option(names = "--output", scope = ScopeType.INHERIT, defaultValue = "text", paramLabel = "text|json",
      description = "result format on stdout: text or json (default: ${DEFAULT-VALUE})")
  OutputFormat output;

  @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "log more, and show stack traces")
  boolean verbose;

  public enum OutputFormat { text, json }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (used by main and by tests). */
  public static int run(String... args) {
    for (String arg : args) {
      if (arg.equals("--verbose")) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
      }
    }
    CommandLine cli = commandLine();
    return cli.execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new FlaredeployCommand());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExitCodeExceptionMapper(e -> e instanceof CliException c ? c.exitCode() : ExitCode.UNAVAILABLE);
    cli.setParameterExceptionHandler((e, args) -> {
      PrintWriter err = e.getCommandLine().getErr();
      err.println("flaredeploy: " + e.getMessage());
      err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
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
      err.println("flaredeploy: internal error: " + e);
      if (verbose) {
        e.printStackTrace(err);
      } else {
        err.println("(run with --verbose for details)");
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
