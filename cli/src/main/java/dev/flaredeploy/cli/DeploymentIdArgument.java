package dev.flaredeploy.cli;

import dev.flaredeploy.workflows.DeploymentIds;
import dev.flaredeploy.workflows.FleetIds;

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

  static String checkFleet(String id) {
    if (!FleetIds.isFleetId(id)) {
      throw new CliException(ExitCode.INVALID_INPUT, "\"" + id + "\" is not a fleet id; fleet ids look like "
          + "fleet:<target>:<services>:<environments>, e.g. 'fleet:local:hello-d1:tenant-*' (deploy prints it)");
    }
    return id;
  }
}
