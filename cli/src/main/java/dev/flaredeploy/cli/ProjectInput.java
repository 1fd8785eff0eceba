package dev.flaredeploy.cli;

import dev.flaredeploy.activities.config.ConfigException;
import dev.flaredeploy.activities.config.LoadedProject;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.source.Git;
import dev.flaredeploy.activities.source.SourceException;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.PolicyOverride;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * A project on the command line, checked before anything starts (bad input: exit 2), turned into a
 * deployment request. Shared by {@code deploy} and {@code plan}.
 *
 * @param commit the commit the source comes from (checked out, or --commit), null outside git
 */
record ProjectInput(DeploymentRequest request, LoadedProject project, String commit, boolean dirty) {
  static ProjectInput of(Path projectDir, String environment, String target, String commit, boolean allowDestructive,
      PrintWriter err) {
    return of(projectDir, environment, target, commit, allowDestructive, List.of(), err);
  }

  /**
   * @param overrides policy rules to let through (checked already: known rules, with a reason)
   * @param err where warnings about the configuration go
   */
  static ProjectInput of(Path projectDir, String environment, String target, String commit, boolean allowDestructive,
      List<PolicyOverride> overrides, PrintWriter err) {
    Path dir = projectDir.toAbsolutePath().normalize();
    LoadedProject project;
    try {
      project = new ProjectConfigLoader().load(dir, environment);
    } catch (ConfigException e) {
      throw new CliException(ExitCode.INVALID_INPUT, e.getMessage() + " (nothing was started)", e);
    }
    project.warnings().forEach(w -> err.println("warning: " + w));
    for (PolicyOverride override : overrides) {
      if (!project.policy().configures(override.rule())) {
        err.println("warning: --override " + override.rule() + ": flaredeploy.toml sets no such rule for "
            + environment + ", so there is nothing to override");
      }
    }
    String chosenTarget = target != null ? target : project.target();
    // the Cloudflare credentials are the worker's, not the CLI's: a worker without a token fails the
    // deployment with CredentialsMissing before changing anything (exit 2)
    EnvironmentOptions.checkTarget(chosenTarget, " (nothing was started)");
    try {
      project.requireTargetCanRollOut(chosenTarget);
    } catch (ConfigException e) {
      throw new CliException(ExitCode.INVALID_INPUT, e.getMessage() + " (nothing was started)", e);
    }
    Git git = new Git(new ProcessRunner());
    String recordedCommit;
    boolean dirty;
    if (commit != null) {
      try {
        recordedCommit = git.resolveCommit(dir, commit);
      } catch (SourceException e) {
        throw new CliException(ExitCode.INVALID_INPUT, e.getMessage());
      }
      dirty = false;
    } else {
      Git.State state = git.state(dir);
      recordedCommit = state.commit();
      dirty = state.dirty();
    }
    DeploymentRequest request = new DeploymentRequest(dir.toString(), environment, chosenTarget,
        project.service(), commit == null ? null : recordedCommit, requestedBy(), allowDestructive,
        List.copyOf(overrides));
    return new ProjectInput(request, project, recordedCommit, dirty);
  }

  /** Who runs this command (user@host), as a deployment request records it. */
  static String requestedBy() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "unknown-host";
    }
    return System.getProperty("user.name") + "@" + host;
  }
}
