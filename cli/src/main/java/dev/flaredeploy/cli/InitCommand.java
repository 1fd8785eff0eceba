package dev.flaredeploy.cli;

import dev.flaredeploy.activities.config.ConfigException;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.config.WranglerProject;
import dev.flaredeploy.activities.config.WranglerProject.Environment;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.source.Git;
import dev.flaredeploy.cli.render.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "init", mixinStandardHelpOptions = true,
    header = "Write a commented flaredeploy.toml that fits the project's wrangler config.",
    description = {"Reads wrangler.json, wrangler.jsonc or wrangler.toml and writes flaredeploy.toml beside it: every",
        "environment it defines with a local port of its own, a smoke check (--health-path, else GET / without",
        "a server error), and [policy] suggestions, commented out, for production-like environments. With",
        "--git-hook ENV also a git pre-push hook that runs `flaredeploy plan` for ENV. Never overwrites a file",
        "without --force (the old one is kept as .bak); bad input is exit 2 with nothing written."})
class InitCommand implements Callable<Integer> {
  static final String FILE_NAME = "flaredeploy.toml";
  static final int DEFAULT_PORT = 8787;

  @Mixin OutputOptions output;

  @Parameters(index = "0", arity = "0..1", paramLabel = "PROJECT",
      description = "the project: its directory (default: .) or its service name (the wrangler name)")
  String project;

  @Option(names = "--health-path", paramLabel = "PATH",
      description = "the smoke check's path, expecting a 2xx answer (default: / expecting anything but a 5xx)")
  String healthPath;

  @Option(names = "--port", paramLabel = "N", defaultValue = "" + DEFAULT_PORT,
      description = "the first local port; each environment gets the next free one (default: ${DEFAULT-VALUE})")
  int firstPort;

  @Option(names = "--git-hook", paramLabel = "ENV",
      description = "also write a git pre-push hook that runs `flaredeploy plan --env ENV` (\"default\": the top level)")
  String gitHook;

  @Option(names = "--force", description = "replace an existing flaredeploy.toml (and pre-push hook), keeping the old as .bak")
  boolean force;

  @Override
  public Integer call() {
    Map<String, String> env = FlaredeployCommand.environment(output.mixee);
    Path dir = ProjectArgument.resolve(project, FlaredeployCommand.workingDirectory(output.mixee)).requireDirectory("init");
    WranglerProject wrangler;
    try {
      wrangler = WranglerProject.read(dir);
    } catch (ConfigException e) {
      throw new CliException(ExitCode.INVALID_INPUT, e.getMessage() + " (nothing was written)", e);
    }
    checkOptions(wrangler);
    Path file = dir.resolve(FILE_NAME);
    if (Files.exists(file) && !force) {
      throw new CliException(ExitCode.INVALID_INPUT, file + " exists already; edit it, or pass --force to replace it"
          + " (the old one is kept as " + FILE_NAME + ".bak); nothing was written");
    }
    Git git = new Git(new ProcessRunner());
    Path hookFile = null;
    PrePushHook hook = null;
    if (gitHook != null) {
      Path hooks = git.hooksDirectory(dir).orElseThrow(() -> new CliException(ExitCode.INVALID_INPUT, dir
          + " is not in a git repository, so --git-hook has nothing to hook into (git init first); nothing was written"));
      hookFile = hooks.resolve("pre-push");
      if (Files.exists(hookFile) && !force) {
        throw new CliException(ExitCode.INVALID_INPUT, hookFile + " exists already; add `flaredeploy plan --env "
            + gitHook + "` to it yourself, or pass --force to replace it (the old one is kept as pre-push.bak);"
            + " nothing was written");
      }
      hook = new PrePushHook(git.pathInWorkingTree(dir).orElse(""), gitHook, PrePushHook.Launcher.current(env));
    }
    ConfigDraft draft = new ConfigDraft(wrangler, ports(wrangler), healthPath, currentBranch(git, dir));

    List<Path> backups = new ArrayList<>();
    List<Runnable> undo = new ArrayList<>();
    try {
      write(file, draft.render(), false, backups, undo);
      if (hook != null) {
        Files.createDirectories(hookFile.getParent());
        write(hookFile, hook.render(), true, backups, undo);
      }
      verify(dir, wrangler);
    } catch (IOException e) {
      undo.forEach(Runnable::run);
      throw new CliException(ExitCode.INVALID_INPUT, "cannot write " + e.getMessage() + " (" + e.getClass().getSimpleName()
          + "); check that the directory is writable; nothing was written", e);
    } catch (RuntimeException e) {
      undo.forEach(Runnable::run);
      throw e;
    }
    report(file, wrangler, draft, hookFile, backups);
    return ExitCode.SUCCEEDED;
  }

  /** Checked before anything is written: the health path, the port range, the hook's environment. */
  private void checkOptions(WranglerProject wrangler) {
    if (healthPath != null && (!healthPath.startsWith("/") || healthPath.chars().anyMatch(c -> c <= ' '))) {
      throw new CliException(ExitCode.INVALID_INPUT, "--health-path " + healthPath + ": expected a path starting with"
          + " \"/\" without spaces, such as /health; nothing was written");
    }
    int needed = wrangler.environments().size();
    if (firstPort < 1 || firstPort + needed - 1 > 65535) {
      throw new CliException(ExitCode.INVALID_INPUT, "--port " + firstPort + ": expected a port from 1 to "
          + (65536 - needed) + " (" + needed + " environment" + (needed == 1 ? "" : "s") + " need a port each);"
          + " nothing was written");
    }
    if (gitHook != null) {
      List<String> names = wrangler.environments().stream().map(Environment::name).toList();
      if (!names.contains(gitHook)) {
        throw new CliException(ExitCode.INVALID_INPUT, "--git-hook " + gitHook + ": " + wrangler.configFile().getFileName()
            + " has no such environment; it has " + String.join(", ", names) + " (\"default\" is the top level);"
            + " nothing was written");
      }
    }
  }

  private static String currentBranch(Git git, Path dir) {
    try {
      return git.currentBranch(dir).stream().findFirst().orElse(null);
    } catch (dev.flaredeploy.activities.source.SourceException noGit) {
      return null;
    }
  }

  /** One distinct port per environment, from --port up, skipping ports something listens on now. */
  private Map<String, Integer> ports(WranglerProject wrangler) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    int next = firstPort;
    for (Environment environment : wrangler.environments()) {
      int port = next;
      while (port < 65535 && listening(port)) {
        port++;
      }
      ports.put(environment.name(), port);
      next = port + 1;
    }
    return ports;
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Writes {@code text} to {@code file} in one move, keeping what was there as a backup. */
  private static void write(Path file, String text, boolean executable, List<Path> backups, List<Runnable> undo)
      throws IOException {
    Path backup = null;
    if (Files.exists(file)) {
      backup = freeBackupName(file);
      Files.copy(file, backup, StandardCopyOption.COPY_ATTRIBUTES);
      backups.add(backup);
    }
    Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
    Files.writeString(partial, text);
    if (executable) {
      Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Path restore = backup;
    undo.add(0, () -> {
      try {
        if (restore != null) {
          Files.move(restore, file, StandardCopyOption.REPLACE_EXISTING);
        } else {
          Files.deleteIfExists(file);
        }
      } catch (IOException ignored) {
        // best effort: the message says what was written
      }
    });
  }

  private static Path freeBackupName(Path file) {
    Path backup = file.resolveSibling(file.getFileName() + ".bak");
    for (int n = 2; Files.exists(backup); n++) {
      backup = file.resolveSibling(file.getFileName() + ".bak." + n);
    }
    return backup;
  }

  /** The written file must load for every environment, as deploy and plan will load it. */
  private static void verify(Path dir, WranglerProject wrangler) {
    ProjectConfigLoader loader = new ProjectConfigLoader();
    for (Environment environment : wrangler.environments()) {
      try {
        loader.load(dir, environment.name());
      } catch (ConfigException e) {
        throw new IllegalStateException("the written " + FILE_NAME + " does not load (" + e.getMessage()
            + "); this is a bug in flaredeploy init, nothing was kept", e);
      }
    }
  }

  private void report(Path file, WranglerProject wrangler, ConfigDraft draft, Path hookFile, List<Path> backups) {
    PrintWriter out = output.out();
    if (output.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("file", file.toString());
      json.put("wranglerConfig", wrangler.configFile().toString());
      json.put("service", wrangler.service());
      json.put("environments", wrangler.environments().stream().map(e -> {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", e.name());
        row.put("workerName", e.workerName());
        row.put("port", draft.ports().get(e.name()));
        row.put("databases", e.databases().stream().map(WranglerProject.Database::binding).toList());
        row.put("productionLike", draft.productionLike(e));
        return row;
      }).toList());
      Map<String, Object> smoke = new LinkedHashMap<>();
      smoke.put("path", healthPath == null ? "/" : healthPath);
      smoke.put("expectStatusBelow", healthPath == null ? 500 : null);
      json.put("smoke", smoke);
      json.put("gitHook", hookFile == null ? null : hookFile.toString());
      json.put("backups", backups.stream().map(Path::toString).toList());
      out.println(Json.write(json));
    } else {
      out.println("wrote " + file + " for " + wrangler.service() + " (from " + wrangler.configFile().getFileName() + "):");
      draft.summaryLines().forEach(out::println);
      out.println("  smoke check: GET " + (healthPath == null ? "/ expecting anything but a server error"
          : healthPath + " expecting a 2xx answer") + ", for up to " + ConfigDraft.SMOKE_TIMEOUT);
      if (hookFile != null) {
        out.println("wrote " + hookFile + ": `flaredeploy plan --env " + gitHook + "` before every git push");
      }
      backups.forEach(b -> out.println("kept the previous file as " + b));
    }
    out.flush();
    wrangler.warnings().forEach(w -> output.err().println("warning: " + w));
    output.err().println("next: flaredeploy plan " + displayed(file.getParent()) + " shows what a deployment would do");
  }

  private String displayed(Path dir) {
    Path cwd = FlaredeployCommand.workingDirectory(output.mixee);
    return dir.equals(cwd) ? "." : Optional.of(dir).map(d -> d.startsWith(cwd) ? cwd.relativize(d).toString() : d.toString())
        .orElse(dir.toString());
  }
}
