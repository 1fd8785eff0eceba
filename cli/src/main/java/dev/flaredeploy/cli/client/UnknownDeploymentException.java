package dev.flaredeploy.cli.client;

/** No deployment has that id. */
public class UnknownDeploymentException extends RuntimeException {
  public UnknownDeploymentException(String id) {
    super("no deployment with id " + id + " (ids look like deploy:<target>:<service>:<environment>; "
        + "`flaredeploy list` shows them)");
  }
}
