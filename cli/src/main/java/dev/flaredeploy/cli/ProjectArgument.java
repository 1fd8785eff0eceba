package dev.flaredeploy.cli;

import dev.flaredeploy.activities.config.ConfigException;
import dev.flaredeploy.activities.config.LoadedProject;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.config.WranglerProject;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A project as every command names it: by its directory (the one holding its wrangler config) or by its
 * service name (the wrangler {@code name}).
 *
 * <ul>
 *   <li>A value with a {@code /}, {@code .} or {@code ..}, or naming a directory that exists, is a directory;
 *   <li>anything else is a service name. When the project in the current directory has that name, it is that
 *       project (so {@code deploy my-app} works from inside my-app); otherwise only the name is known, which is
 *       all that commands about deployments ({@code status}, {@code local stop}…) need.
 * </ul>
 *
 * @param argument as given
 * @param directory the project's directory, or null when only its service name is known
 * @param service the service (Worker) name, or null for a directory whose config names none
 */
record ProjectArgument(String argument, Path directory, String service) {
  private static final Pattern SERVICE_NAME = Pattern.compile("[a-z0-9_][a-z0-9_ -]*");

  /** Resolves {@code argument} (null: the current directory) against {@code workingDir}. */
  static ProjectArgument resolve(String argument, Path workingDir) {
    String given = argument == null ? "." : argument;
    Path path;
    try {
      path = workingDir.resolve(given).normalize();
    } catch (InvalidPathException e) {
      path = null;
    }
    boolean pathLike = given.contains("/") || given.equals(".") || given.equals("..") || given.contains("\\");
    if (pathLike || (path != null && Files.isDirectory(path))) {
      if (path == null || !Files.isDirectory(path)) {
        throw new CliException(ExitCode.INVALID_INPUT, "no directory " + given + " (" + (path == null ? given : path)
            + "); name a project by its directory (the one with its wrangler config) or by its service name");
      }
      return new ProjectArgument(given, path, WranglerProject.serviceIn(path).orElse(null));
    }
    if (!SERVICE_NAME.matcher(given).matches()) {
      throw new CliException(ExitCode.INVALID_INPUT, "\"" + given + "\" is neither a directory nor a service name"
          + " (service names are a wrangler name: lowercase letters, digits, - and _)");
    }
    Path here = workingDir.normalize();
    if (WranglerProject.serviceIn(here).filter(given::equals).isPresent()) {
      return new ProjectArgument(given, here, given);
    }
    return new ProjectArgument(given, null, given);
  }

  /**
   * The project's directory, for commands that read its files.
   *
   * @throws CliException exit 2 when only a service name is known
   */
  Path requireDirectory(String command) {
    if (directory == null) {
      throw new CliException(ExitCode.INVALID_INPUT, "\"" + argument + "\" is not a directory, and the project in "
          + "the current directory is not named " + argument + "; " + command + " reads the project's files: give its"
          + " directory (flaredeploy " + command + " path/to/" + argument + ")");
    }
    return directory;
  }

  /**
   * The service name, for commands about what was deployed.
   *
   * @throws CliException exit 2 for a directory without a wrangler config that names it
   */
  String requireService() {
    if (service == null) {
      throw new CliException(ExitCode.INVALID_INPUT, "no wrangler config naming a service in " + directory
          + " (looked for " + String.join(", ", WranglerProject.FILE_NAMES) + "); give the project's directory or"
          + " its service name");
    }
    return service;
  }

  /** The project's configuration for {@code environment}, when its directory is known. */
  Optional<LoadedProject> load(String environment) {
    if (directory == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ProjectConfigLoader().load(directory, environment));
    } catch (ConfigException e) {
      throw new CliException(ExitCode.INVALID_INPUT, e.getMessage(), e);
    }
  }
}
