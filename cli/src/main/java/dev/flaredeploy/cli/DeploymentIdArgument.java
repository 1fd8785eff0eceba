package dev.flaredeploy.cli;

import dev.flaredeploy.workflows.DeploymentIds;

/** Checks a deployment id given on the command line. */
final class DeploymentIdArgument {
  private DeploymentIdArgument() {}

  static String check(String id) {
    if (!DeploymentIds.isDeploymentId(id)) {
      throw new CliException(ExitCode.INVALID_INPUT, "\"" + id + "\" is not a deployment id; ids look like "
          + "deploy:<target>:<service>:<environment>, e.g. deploy:local:hello-d1:default");
    }
    return id;
  }
}
