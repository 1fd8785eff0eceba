package dev.flaredeploy.cli;

import dev.flaredeploy.activities.config.ProjectConfigLoader;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --env} and {@code --target}: which deployment of a project a command is about. */
abstract class EnvironmentOptions {
  static final List<String> TARGETS = List.of("local", "cloudflare");

  /**
   * Refuses (exit 2) a target that is not one of {@link #TARGETS}: {@code unknown target "X"; expected one of ...},
   * then {@code suffix} (such as {@code " (nothing was started)"}, or empty).
   */
  static void checkTarget(String target, String suffix) {
    if (!TARGETS.contains(target)) {
      throw new CliException(ExitCode.INVALID_INPUT, "unknown target \"" + target + "\"; expected one of "
          + String.join(", ", TARGETS) + suffix);
    }
  }

  @Spec(Spec.Target.MIXEE) CommandSpec mixee;

  @Option(names = "--env", paramLabel = "NAME", defaultValue = ProjectConfigLoader.DEFAULT_ENVIRONMENT,
      description = "wrangler environment (default: the top level, \"default\")")
  String environment;

  @Option(names = "--target", paramLabel = "local|cloudflare",
      description = "local or cloudflare (default: flaredeploy.toml's target, else local)")
  String target;

  /** The argument naming the project, resolved against the current directory. */
  ProjectArgument project(String argument) {
    return ProjectArgument.resolve(argument, FlaredeployCommand.workingDirectory(mixee));
  }

  /** --target if given (checked), else the project's configured target, else local. */
  String targetOf(ProjectArgument project) {
    return targetOf(project, environment);
  }

  /** As {@link #targetOf(ProjectArgument)}, for {@code environmentName}'s configuration. */
  String targetOf(ProjectArgument project, String environmentName) {
    if (target != null) {
      checkTarget(target, "");
      return target;
    }
    return project.load(environmentName).map(p -> p.target()).orElse("local");
  }
}
