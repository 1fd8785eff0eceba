package dev.flaredeploy.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The git pre-push hook {@code flaredeploy init --git-hook ENV} writes: before every push it runs {@code
 * flaredeploy plan} for one environment of the project, and a plan that blocks (exit 2: a migration that does not
 * apply to a shadow of the database, a destructive one, a failing policy) stops the push. It changes nothing.
 *
 * @param projectInTree the project directory relative to the top of the git working tree ({@code ""} or
 *     {@code "app/"}), where the hook runs plan
 * @param environment the environment plan checks
 * @param flaredeploy how to run flaredeploy from the hook: the launcher or jar this command came from, if it is
 *     still there when the hook runs; else {@code flaredeploy} on the PATH. {@code FLAREDEPLOY} overrides both.
 */
record PrePushHook(String projectInTree, String environment, Launcher flaredeploy) {

  /** How this flaredeploy was started: the launcher script, or {@code java -jar} on the jar; null fields: unknown. */
  record Launcher(Path script, Path jar) {
    /** From the environment the launcher sets ({@code FLAREDEPLOY_ROOT}) and the jar this class came from. */
    static Launcher current(java.util.Map<String, String> env) {
      Path script = null;
      String root = env.get("FLAREDEPLOY_ROOT");
      if (root != null && !root.isBlank() && Files.isExecutable(Path.of(root, "flaredeploy"))) {
        script = Path.of(root, "flaredeploy").toAbsolutePath().normalize();
      }
      Path jar = null;
      try {
        Path location = Path.of(PrePushHook.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (location.toString().endsWith(".jar")) {
          jar = location.toAbsolutePath().normalize();
        }
      } catch (Exception unknown) {
        // not run from a jar (tests): the hook uses the launcher or the PATH
      }
      return new Launcher(script, jar);
    }
  }

  static final String MARKER = "# written by `flaredeploy init --git-hook";

  String render() {
    StringBuilder out = new StringBuilder("#!/bin/sh\n");
    out.append(MARKER).append(' ').append(environment).append("`:\n");
    out.append("# before every push, `flaredeploy plan` checks the environment ").append(environment)
        .append(" of this project (policies,\n");
    out.append("# pending migrations against a shadow of its database, the release) and stops the push when\n");
    out.append("# something would block the deployment, so a broken migration never leaves this machine.\n");
    out.append("# It changes nothing. Skip it once with `git push --no-verify`; set FLAREDEPLOY to choose the command.\n");
    out.append("if [ -n \"${FLAREDEPLOY:-}\" ]; then\n  set -- \"$FLAREDEPLOY\"\n");
    if (flaredeploy.script() != null) {
      out.append("elif [ -x ").append(shellQuote(flaredeploy.script().toString())).append(" ]; then\n  set -- ")
          .append(shellQuote(flaredeploy.script().toString())).append('\n');
    }
    if (flaredeploy.jar() != null) {
      out.append("elif [ -f ").append(shellQuote(flaredeploy.jar().toString())).append(" ]; then\n  set -- java -jar ")
          .append(shellQuote(flaredeploy.jar().toString())).append('\n');
    }
    out.append("else\n  set -- flaredeploy\nfi\n");
    out.append("cd \"$(git rev-parse --show-toplevel)\"").append(projectInTree.isEmpty() ? ""
        : "/" + shellQuote(projectInTree.endsWith("/") ? projectInTree.substring(0, projectInTree.length() - 1)
            : projectInTree)).append(" || exit 1\n");
    out.append("echo ").append(shellQuote("pre-push: flaredeploy plan --env " + environment
        + " (git push --no-verify skips it)")).append(" >&2\n");
    out.append("exec \"$@\" plan . --env ").append(shellQuote(environment)).append(" </dev/null\n");
    return out.toString();
  }

  static String shellQuote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
