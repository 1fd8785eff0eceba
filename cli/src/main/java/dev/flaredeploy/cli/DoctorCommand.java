package dev.flaredeploy.cli;

import dev.flaredeploy.activities.config.ConfigException;
import dev.flaredeploy.activities.config.LoadedProject;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.config.WranglerProject;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.cli.doctor.Check;
import dev.flaredeploy.cli.doctor.CloudflareChecks;
import dev.flaredeploy.cli.doctor.MachineChecks;
import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.worker.ServerKind;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.worker.TemporalSettings;
import dev.flaredeploy.worker.TemporalUnreachableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "doctor", mixinStandardHelpOptions = true,
    header = "Check that this machine can deploy, one line per check, with the fix for each that fails.",
    description = {"Java, Node.js, the pinned wrangler, the Temporal server (or that deploy will run embedded), the",
        "flaredeploy home (writable, free space), git and setsid; with PROJECT, that its configuration loads.",
        "With --target cloudflare (or CLOUDFLARE_API_TOKEN set, or a project that deploys there): the token is",
        "set and Cloudflare accepts it, and it reads the account's D1 databases and Workers. The token is never",
        "shown. Exit 0 when every check passes, 2 otherwise."})
class DoctorCommand implements Callable<Integer> {
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Parameters(index = "0", arity = "0..1", paramLabel = "PROJECT",
      description = "also check this project's configuration: its directory or its service name")
  String project;

  @Option(names = "--target", paramLabel = "local|cloudflare",
      description = "also check what deploying to Cloudflare needs (cloudflare); default: when CLOUDFLARE_API_TOKEN"
          + " is set or the project deploys there")
  String target;

  @Override
  public Integer call() {
    Map<String, String> env = FlaredeployCommand.environment(output.mixee);
    Path workingDirectory = FlaredeployCommand.workingDirectory(output.mixee);
    if (target != null) {
      EnvironmentOptions.checkTarget(target, "");
    }
    Path projectDir = project == null ? null
        : ProjectArgument.resolve(project, workingDirectory).requireDirectory("doctor");

    List<Check> checks = new ArrayList<>(new MachineChecks(env, new ProcessRunner(), workingDirectory).run());
    checks.add(3, temporal());
    boolean cloudflare = "cloudflare".equals(target) || env.get(CloudflareChecks.TOKEN) != null;
    if (projectDir != null) {
      ProjectCheck projectCheck = project(projectDir);
      checks.add(projectCheck.check());
      cloudflare |= projectCheck.deploysToCloudflare() && !"local".equals(target);
    }
    if (cloudflare) {
      checks.addAll(new CloudflareChecks(env).run());
    }
    report(checks);
    return checks.stream().allMatch(Check::ok) ? ExitCode.SUCCEEDED : ExitCode.INVALID_INPUT;
  }

  /** The Temporal server the options name answers, or (at the default address) deploy will run embedded. */
  private Check temporal() {
    TemporalSettings settings;
    try {
      settings = temporal.settings();
    } catch (CliException e) {
      return Check.fail("temporal", e.getMessage(),
          "fix the Temporal client configuration (TEMPORAL_* variables, the temporal.toml profile)");
    }
    if (TemporalOptions.nothingAtDefaultAddress(settings)) {
      return Check.pass("temporal", "no server at " + settings.address() + " (the default address): deploy will run"
          + " embedded, with an in-process server and worker that last as long as the command; for deployments"
          + " that survive it, start a server (flaredeploy dev-server, or docker compose up) and a worker");
    }
    String where = settings.explicit() ? "--address, TEMPORAL_ADDRESS or the temporal.toml profile" : "--address";
    try (TemporalConnection connection = TemporalConnection.connect(settings, TemporalOptions.CONNECT_TIMEOUT)) {
      try {
        connection.stubs().blockingStub().withDeadlineAfter(5, TimeUnit.SECONDS)
            .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(settings.namespace()).build());
      } catch (StatusRuntimeException e) {
        return Check.fail("temporal", "Temporal at " + settings.address() + " answers, but namespace "
            + settings.namespace() + " is not usable: " + e.getStatus().getCode()
            + (e.getStatus().getDescription() == null ? "" : " (" + e.getStatus().getDescription() + ")"),
            e.getStatus().getCode() == Status.Code.NOT_FOUND
                ? "create it (temporal operator namespace create " + settings.namespace() + ") or pass --namespace"
                : "check the namespace and the client's credentials (TLS, API key)");
      }
      boolean devServer = ServerKind.of(connection) == ServerKind.JAVA_TEST_SERVER;
      return Check.pass("temporal", "Temporal at " + settings.address() + " answers (namespace " + settings.namespace()
          + ")" + (devServer ? "; it is the in-memory dev server, which keeps nothing on disk" : ""));
    } catch (TemporalUnreachableException e) {
      return Check.fail("temporal", e.getMessage(), "start it (flaredeploy dev-server --port PORT, or docker compose"
          + " up), or point " + where + " at a server that runs");
    }
  }

  private record ProjectCheck(Check check, boolean deploysToCloudflare) {}

  /** Every environment of the project loads as deploy and plan would load it. */
  private static ProjectCheck project(Path dir) {
    try {
      WranglerProject wrangler = WranglerProject.read(dir);
      boolean cloudflare = false;
      List<String> names = new ArrayList<>();
      for (WranglerProject.Environment environment : wrangler.environments()) {
        LoadedProject loaded = new ProjectConfigLoader().load(dir, environment.name());
        cloudflare |= "cloudflare".equals(loaded.target());
        names.add(environment.name());
      }
      boolean flaredeployToml = Files.exists(dir.resolve("flaredeploy.toml"));
      return new ProjectCheck(Check.pass("project", wrangler.service() + ": " + wrangler.configFile().getFileName()
          + (flaredeployToml ? " and flaredeploy.toml load" : " loads (no flaredeploy.toml: `flaredeploy init` writes one)")
          + " for " + String.join(", ", names)), cloudflare);
    } catch (ConfigException e) {
      return new ProjectCheck(Check.fail("project", e.getMessage(),
          "fix it there (`flaredeploy plan` reports the same)"), false);
    }
  }

  private void report(List<Check> checks) {
    PrintWriter out = output.out();
    List<String> failed = checks.stream().filter(c -> !c.ok()).map(Check::name).toList();
    if (output.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("ok", failed.isEmpty());
      json.put("checks", checks);
      out.println(Json.write(json));
    } else {
      for (Check c : checks) {
        out.printf("%s %-18s %s%s%n", c.ok() ? "✓" : "✗", c.name(), c.detail(), c.ok() ? "" : " — fix: " + c.fix());
      }
    }
    out.flush();
    output.err().println("flaredeploy doctor: " + (failed.isEmpty() ? "all " + checks.size() + " checks passed"
        : failed.size() + " of " + checks.size() + " checks failed: " + String.join(", ", failed)));
  }
}
