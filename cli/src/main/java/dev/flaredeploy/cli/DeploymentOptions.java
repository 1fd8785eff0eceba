package dev.flaredeploy.cli;

import dev.flaredeploy.workflows.DeploymentIds;
import picocli.CommandLine.Parameters;

/**
 * {@code [ID|PROJECT] [--env NAME] [--target local|cloudflare]}: a deployment, by its id or by its project (a
 * directory or a service name, with the environment and the target), for {@code status}, {@code history},
 * {@code watch} and {@code cancel}.
 */
final class DeploymentOptions extends EnvironmentOptions {
  @Parameters(index = "0", arity = "0..1", paramLabel = "ID|PROJECT",
      description = {"a deployment id (deploy:<target>:<service>:<environment>), or the project: its directory",
          "(default: .) or its service name, with --env and --target"})
  String reference;

  /** The deployment id the argument stands for. */
  String id() {
    if (reference != null && reference.startsWith("deploy:")) {
      return DeploymentIdArgument.check(reference);
    }
    ProjectArgument project = project(reference);
    return DeploymentIds.workflowId(targetOf(project), project.requireService(), environment);
  }
}
