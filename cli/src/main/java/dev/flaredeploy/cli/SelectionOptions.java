package dev.flaredeploy.cli;

import dev.flaredeploy.cli.client.EnvironmentGlob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code [PROJECT...] [--env NAME|GLOB...] [--target local|cloudflare]}: what {@code deploy} deploys. One project
 * and one environment is one deployment; more (several directories, several {@code --env} values, a glob) is a
 * fleet run ({@link FleetSelection}).
 */
final class SelectionOptions {
  @Spec(Spec.Target.MIXEE) CommandSpec mixee;

  @Parameters(index = "0..*", arity = "0..*", paramLabel = "PROJECT",
      description = {"the project(s): a directory (default: .) or the service name of the project in the current",
          "directory; several directories deploy as one fleet run"})
  List<String> projects = new ArrayList<>();

  @Option(names = "--env", split = ",", paramLabel = "NAME|GLOB",
      description = {"wrangler environment(s): names or globs such as 'tenant-*' over the config's environments",
          "(\"default\" is the top level, the default); repeatable or comma-separated; more than one",
          "(service, environment) is a fleet run"})
  List<String> environments = new ArrayList<>();

  @Option(names = "--target", paramLabel = "local|cloudflare",
      description = "local or cloudflare (default: flaredeploy.toml's target, else local)")
  String target;

  List<String> projects() {
    return projects == null ? List.of() : projects;
  }

  List<String> environments() {
    return environments == null || environments.isEmpty() ? List.of("default") : environments;
  }

  /** More than one (service, environment) may be selected. */
  boolean fleet() {
    return projects().size() > 1 || environments().size() > 1 || environments().stream().anyMatch(EnvironmentGlob::isGlob);
  }

  /** The one project's directory (not a fleet). */
  Path directory() {
    return ProjectArgument.resolve(projects().isEmpty() ? null : projects().get(0),
        FlaredeployCommand.workingDirectory(mixee)).requireDirectory("deploy");
  }

  Path workingDirectory() {
    return FlaredeployCommand.workingDirectory(mixee);
  }
}
