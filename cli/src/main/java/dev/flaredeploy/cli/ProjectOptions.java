package dev.flaredeploy.cli;

import java.nio.file.Path;
import picocli.CommandLine.Parameters;

/** {@code [PROJECT] [--env NAME] [--target local|cloudflare]}: a project, named as {@link ProjectArgument} says. */
final class ProjectOptions extends EnvironmentOptions {
  @Parameters(index = "0", arity = "0..1", paramLabel = "PROJECT",
      description = "the project: its directory (default: .) or its service name (the wrangler name)")
  String project;

  ProjectArgument resolve() {
    return project(project);
  }

  /** The project's directory, for commands that read its files ({@code command} names the command in messages). */
  Path directory(String command) {
    return resolve().requireDirectory(command);
  }
}
