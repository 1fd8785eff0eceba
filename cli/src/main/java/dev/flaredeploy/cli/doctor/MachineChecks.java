package dev.flaredeploy.cli.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flaredeploy.activities.local.LocalWorkspace;
import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.Wrangler;
import java.io.File;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a machine needs to run deployments, read from the environment it is given ({@code PATH},
 * {@code FLAREDEPLOY_ROOT}, {@code FLAREDEPLOY_WRANGLER}, {@code FLAREDEPLOY_HOME}): Java, Node.js, the pinned
 * wrangler, the flaredeploy home with room to work, git and setsid. Programs are looked up on that {@code PATH}.
 */
public final class MachineChecks {
  /** Less free space than this under the home fails: snapshots, checkpoints and wrangler's state live there. */
  public static final long MIN_FREE_BYTES = 1L << 30;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");

  private final Map<String, String> env;
  private final ProcessRunner runner;
  private final Path workingDirectory;

  public MachineChecks(Map<String, String> env, ProcessRunner runner, Path workingDirectory) {
    this.env = env;
    this.runner = runner;
    this.workingDirectory = workingDirectory;
  }

  public List<Check> run() {
    List<Check> checks = new ArrayList<>();
    checks.add(java());
    checks.add(node());
    checks.add(wrangler());
    checks.add(home());
    checks.add(program("git", "--version",
        "install git: flaredeploy records the commit it deploys, and needs git for --commit and branch policies"));
    checks.add(program("setsid", "--version",
        "install util-linux (it has setsid): the local target runs each release in a process group of its own"));
    return checks;
  }

  Check java() {
    Runtime.Version version = Runtime.version();
    String detail = "Java " + version + " (" + System.getProperty("java.home") + ")";
    return version.feature() >= 17 ? Check.pass("java", detail)
        : Check.fail("java", detail, "install Java 17 or newer (for example the Temurin JDK)");
  }

  Check node() {
    String needed = minimumNode().orElse("20.3.0");
    Optional<Path> node = onPath("node");
    if (node.isEmpty()) {
      return Check.fail("node", "node is not on the PATH", "install Node.js " + needed + " or newer (wrangler runs on it)");
    }
    Optional<String> version = versionOf(node.get(), "--version");
    if (version.isEmpty()) {
      return Check.fail("node", node.get() + " --version did not answer", "reinstall Node.js " + needed + " or newer");
    }
    return compare(version.get(), needed) >= 0
        ? Check.pass("node", "Node.js " + version.get() + " (" + node.get() + "; wrangler needs " + needed + " or newer)")
        : Check.fail("node", "Node.js " + version.get() + " (" + node.get() + ") is older than the " + needed
            + " wrangler needs", "install Node.js " + needed + " or newer");
  }

  Check wrangler() {
    Optional<Path> root = root();
    Optional<String> pinned = root.flatMap(MachineChecks::pinnedWrangler);
    String install = root.map(r -> "run `npm ci` in " + r + " (it installs the pinned wrangler"
        + pinned.map(v -> " " + v).orElse("") + ")").orElse("install wrangler (npm install -g wrangler)")
        + ", or set FLAREDEPLOY_WRANGLER to a wrangler executable";
    Optional<List<String>> located = Wrangler.locate(env);
    if (located.isEmpty()) {
      return Check.fail("wrangler", "wrangler was not found (looked at FLAREDEPLOY_WRANGLER, "
          + root.map(r -> r.resolve("node_modules/.bin/wrangler") + ", ").orElse("") + "the PATH)", install);
    }
    Path command = Path.of(located.get().get(0));
    if (!Files.isExecutable(command)) {
      return Check.fail("wrangler", command + " is not an executable file", install);
    }
    Optional<String> version = versionOf(command, "--version");
    if (version.isEmpty()) {
      return Check.fail("wrangler", command + " --version did not run", install + " (Node.js must be on the PATH)");
    }
    if (pinned.isPresent() && !pinned.get().equals(version.get())) {
      return Check.fail("wrangler", "wrangler " + version.get() + " (" + command + ") is not the pinned "
          + pinned.get(), install);
    }
    return Check.pass("wrangler", "wrangler " + version.get() + " (" + command + ")"
        + (pinned.isPresent() ? ", the pinned version" : ""));
  }

  Check home() {
    Path home = LocalWorkspace.fromEnvironment(env).home();
    Path existing = home;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    String fix = "set FLAREDEPLOY_HOME to a writable directory with at least 1 GiB free (default ~/.flaredeploy)";
    if (existing == null || !Files.isDirectory(existing)) {
      return Check.fail("home", "the flaredeploy home " + home + " cannot be created: " + existing
          + " is not a directory", fix);
    }
    try {
      // a probe that leaves nothing behind: a file in the home, or a directory where it would be created
      Path probe = existing.equals(home) ? Files.createTempFile(home, ".doctor-", ".probe")
          : Files.createTempDirectory(existing, ".flaredeploy-doctor-");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      return Check.fail("home", "cannot write to " + existing + (existing.equals(home) ? "" : " (where the home "
          + home + " would be created)") + ": " + e, fix);
    }
    long free;
    try {
      FileStore store = Files.getFileStore(existing);
      free = store.getUsableSpace();
    } catch (IOException e) {
      return Check.fail("home", "cannot tell the free space under " + existing + ": " + e, fix);
    }
    String detail = home + (existing.equals(home) ? "" : " (created on first use)") + " is writable, "
        + gibibytes(free) + " free";
    return free >= MIN_FREE_BYTES ? Check.pass("home", detail)
        : Check.fail("home", detail + ", less than 1 GiB", "free space there, or " + fix);
  }

  Check program(String name, String versionFlag, String fix) {
    Optional<Path> program = onPath(name);
    if (program.isEmpty()) {
      return Check.fail(name, name + " is not on the PATH", fix);
    }
    return versionOf(program.get(), versionFlag)
        .map(v -> Check.pass(name, name + " " + v + " (" + program.get() + ")"))
        .orElseGet(() -> Check.fail(name, program.get() + " " + versionFlag + " did not run", fix));
  }

  /** FLAREDEPLOY_ROOT (the launcher sets it), else the system property tests set. */
  private Optional<Path> root() {
    String root = env.getOrDefault("FLAREDEPLOY_ROOT", System.getProperty("flaredeploy.root"));
    return root == null || root.isBlank() ? Optional.empty() : Optional.of(Path.of(root).toAbsolutePath().normalize());
  }

  /** The wrangler version flaredeploy's package.json pins. */
  private static Optional<String> pinnedWrangler(Path root) {
    try {
      JsonNode pkg = JSON.readTree(root.resolve("package.json").toFile());
      String version = pkg.path("devDependencies").path("wrangler").asText("");
      return version.isEmpty() ? Optional.empty() : Optional.of(version.replaceFirst("^[\\^~=]", ""));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The Node.js version the installed wrangler declares it needs ({@code engines.node: ">=20.3.0"}). */
  private Optional<String> minimumNode() {
    return root().flatMap(r -> {
      try {
        String range = JSON.readTree(r.resolve("node_modules/wrangler/package.json").toFile())
            .path("engines").path("node").asText("");
        Matcher m = VERSION.matcher(range);
        return m.find() ? Optional.of(m.group()) : Optional.empty();
      } catch (IOException e) {
        return Optional.empty();
      }
    });
  }

  private Optional<Path> onPath(String program) {
    for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, program);
        if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** The first x.y.z in what {@code program flag} prints, when it runs and succeeds within 60 s. */
  private Optional<String> versionOf(Path program, String flag) {
    Map<String, String> quiet = Map.of("WRANGLER_SEND_METRICS", "false", "WRANGLER_HIDE_BANNER", "true",
        "NO_COLOR", "1", "PATH", env.getOrDefault("PATH", ""));
    try {
      ProcessResult result = runner.run(List.of(program.toString(), flag), workingDirectory, quiet,
          Duration.ofSeconds(60), ProcessRunner.Tick.NONE);
      Matcher m = VERSION.matcher(result.stdout() + "\n" + result.stderr());
      return result.succeeded() && m.find() ? Optional.of(m.group()) : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  static int compare(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < 3; i++) {
      int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static String gibibytes(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }
}
