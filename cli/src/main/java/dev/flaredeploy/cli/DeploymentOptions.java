package dev.flaredeploy.cli;

import dev.flaredeploy.cli.client.EnvironmentGlob;
import dev.flaredeploy.workflows.DeploymentIds;
import dev.flaredeploy.workflows.FleetIds;
import java.util.List;
import picocli.CommandLine.Parameters;

/**
 * {@code [ID|PROJECT] [--env NAME] [--target local|cloudflare]}: a deployment or a fleet run, by its id or by its
 * project (a directory or a service name, with the environment and the target; an {@code --env} glob or list
 * names the fleet run of that selection), for {@code status}, {@code history}, {@code watch} and {@code cancel}.
 */
final class DeploymentOptions extends EnvironmentOptions {
  @Parameters(index = "0", arity = "0..1", paramLabel = "ID|PROJECT",
      description = {"a deployment id (deploy:<target>:<service>:<environment>) or fleet id (fleet:…), or the",
          "project: its directory (default: .) or its service name, with --env and --target (an --env glob",
          "or list, e.g. 'tenant-*', names that selection's fleet run)"})
  String reference;

  /** The deployment or fleet id the argument stands for. */
  String id() {
    if (reference != null && reference.startsWith("deploy:")) {
      return DeploymentIdArgument.check(reference);
    }
    if (reference != null && reference.startsWith("fleet:")) {
      return DeploymentIdArgument.checkFleet(reference);
    }
    ProjectArgument project = project(reference);
    if (environment.contains(",") || EnvironmentGlob.isGlob(environment)) {
      List<String> patterns = List.of(environment.split(","));
      String first = patterns.stream().filter(p -> !EnvironmentGlob.isGlob(p)).findFirst().orElse("default");
      return FleetIds.fleetId(targetOf(project, first), List.of(project.requireService()), patterns);
    }
    return DeploymentIds.workflowId(targetOf(project), project.requireService(), environment);
  }
}
