package dev.flaredeploy.cli;

import dev.flaredeploy.activities.SchemaValidation;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.MigrationCheck;
import dev.flaredeploy.workflows.model.PolicyResult;
import dev.flaredeploy.workflows.model.SchemaReport;
import dev.flaredeploy.workflows.model.SmokeCheck;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "plan", mixinStandardHelpOptions = true,
    header = "Show what deploy would do, changing nothing; exit 2 if something would block it.",
    description = {"Show what `deploy` would do, changing nothing: the [policy] rules (freeze windows, branches,",
        "clean tree, required secrets), pending migrations checked against a shadow",
        "of each database and classified (destructive and renaming ones block), the restore points, the",
        "release action and the smoke checks. Runs the same checks as the deployment's validate-schema step.",
        "Exit 0 if the deployment would proceed, 2 if something blocks it."})
class PlanCommand implements Callable<Integer> {
  @Mixin ProjectOptions project;
  @Mixin OutputOptions output;

  @Option(names = "--commit", paramLabel = "SHA", description = "plan this git commit instead of the directory")
  String commit;

  @Option(names = "--allow-destructive", description = "as deploy --allow-destructive")
  boolean allowDestructive;

  @Mixin PolicyOverrideOptions policyOverrides;

  @Override
  public Integer call() {
    ProjectInput input = ProjectInput.of(project.directory("plan"), project.environment, project.target, commit,
        allowDestructive, policyOverrides.overrides(), output.err());
    InProcessTarget planned = InProcessTarget.of(input.request(), FlaredeployCommand.environment(output.mixee));
    DeploymentPlan plan = planned.plan();
    // plan runs the target in this process, so the Cloudflare credentials are this process's
    SchemaReport schema = InProcessTarget.run(type -> "",
        () -> SchemaValidation.validate(planned.target(), plan, ProcessRunner.Tick.NONE, 0));
    Optional<String> blocked = SchemaValidation.blocked(schema, plan);
    boolean releaseNeeded = !plan.source().id().equals(schema.liveRelease());
    boolean migrationsPending = schema.databases().stream().anyMatch(d -> !d.pending().isEmpty());

    if (output.json()) {
      output.out().println(Json.write(json(plan, schema, blocked, releaseNeeded, migrationsPending)));
    } else {
      output.out().print(text(plan, schema, blocked, releaseNeeded, migrationsPending));
    }
    return blocked.isPresent() ? ExitCode.INVALID_INPUT : ExitCode.SUCCEEDED;
  }

  private static Map<String, Object> json(DeploymentPlan plan, SchemaReport schema, Optional<String> blocked,
      boolean releaseNeeded, boolean migrationsPending) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("service", plan.service());
    out.put("environment", plan.environment());
    out.put("target", plan.target());
    out.put("source", plan.source().id());
    out.put("commit", plan.source().commit());
    out.put("dirty", plan.source().dirty());
    out.put("proceeds", blocked.isEmpty());
    out.put("blockedBecause", blocked.orElse(null));
    out.put("nothingToDo", !releaseNeeded && !migrationsPending);
    out.put("policies", schema.policies());
    out.put("overrides", plan.policy() == null ? List.of() : plan.policy().overrides());
    out.put("onDrift", plan.onDrift());
    out.put("drift", schema.drift());
    out.put("preflight", schema.preflight());
    out.put("checksumProblems", schema.checksumProblems());
    out.put("allowances", plan.allowances());
    out.put("warnings", schema.warnings());
    out.put("databases", schema.databases().stream().map(d -> {
      Map<String, Object> db = new LinkedHashMap<>();
      db.put("binding", d.binding());
      db.put("applied", d.applied());
      db.put("pending", d.pending());
      db.put("checks", checksOf(schema, d.binding()));
      db.put("restorePoint", d.pending().isEmpty() ? null : restorePoint(plan, d.binding()));
      return db;
    }).toList());
    Map<String, Object> release = new LinkedHashMap<>();
    release.put("action", releaseNeeded ? "release" : "none");
    release.put("version", plan.source().id());
    release.put("live", schema.liveRelease());
    release.put("url", releaseUrl(plan).orElse(null));
    release.put("rollout", plan.rollout() == null ? null
        : Map.of("steps", plan.rollout().steps(), "soakMillis", plan.rollout().soakMillis()));
    out.put("release", release);
    Map<String, Object> smoke = new LinkedHashMap<>();
    smoke.put("timeoutMillis", plan.smoke().timeoutMillis());
    smoke.put("baseUrl", plan.smoke().baseUrl()); // null: the release's URL
    smoke.put("checks", plan.smoke().checks());
    out.put("smoke", smoke);
    return out;
  }

  private static String text(DeploymentPlan plan, SchemaReport schema, Optional<String> blocked,
      boolean releaseNeeded, boolean migrationsPending) {
    StringBuilder out = new StringBuilder();
    out.append("plan for ").append(plan.service()).append(" (").append(plan.environment()).append(", ")
        .append(plan.target()).append(") from source ").append(plan.source().id());
    if (plan.source().commit() != null) {
      out.append(" at ").append(plan.source().commit(), 0, Math.min(12, plan.source().commit().length()))
          .append(plan.source().dirty() ? " with uncommitted changes" : "");
    }
    out.append('\n');
    if (schema.policies() != null) {
      for (PolicyResult p : schema.policies()) {
        out.append("  policy ").append(p.rule()).append(": ").append(p.outcome()).append(" - ").append(p.message());
        if (p.overrideReason() != null) {
          out.append(" (overridden: ").append(p.overrideReason()).append(')');
        }
        out.append('\n');
      }
    }
    if (!releaseNeeded && !migrationsPending && blocked.isEmpty()) {
      out.append("  nothing to do: no pending migrations and this source is already live\n");
      return out.toString();
    }
    for (DatabaseStatus d : schema.databases()) {
      out.append("  database ").append(d.binding()).append(": ").append(d.applied().size()).append(" applied, ")
          .append(d.pending().size()).append(" pending\n");
      for (MigrationCheck c : checksOf(schema, d.binding())) {
        out.append("    ").append(c.blocked() ? "✗ " : "✓ ").append(c.migration()).append("  ")
            .append(c.classification()).append('\n');
        c.findings().forEach(f -> out.append("        ").append(f).append('\n'));
      }
      if (!d.pending().isEmpty()) {
        out.append("    restore point: ").append(restorePoint(plan, d.binding())).append('\n');
      }
    }
    if (schema.checksumProblems() != null && !schema.checksumProblems().isEmpty()) {
      out.append("  applied migrations changed since they were applied:\n");
      schema.checksumProblems().forEach(p -> out.append("    ✗ ").append(p.message()).append('\n'));
    }
    if (schema.drift() != null && !schema.drift().isEmpty()) {
      out.append("  drift (on_drift = ").append(plan.onDrift()).append("):\n");
      schema.drift().forEach(d -> out.append("    ").append(d).append('\n'));
    }
    if (schema.warnings() != null) {
      schema.warnings().forEach(w -> out.append("  warning: ").append(w).append('\n'));
    }
    out.append("  release: ").append(releaseNeeded
        ? "serve " + plan.source().id() + " on " + releaseUrl(plan).orElse("the Worker's workers.dev URL")
            + (schema.liveRelease() == null ? "" : ", replacing " + schema.liveRelease())
        : plan.source().id() + " is already live").append('\n');
    if (releaseNeeded && plan.rollout() != null) {
      out.append("  rollout: ").append(String.join(" → ", plan.rollout().steps().stream().map(p -> p + " %").toList()))
          .append(", ").append(plan.rollout().soakMillis() / 1000.0).append(" s soak each, checks against the new")
          .append(" version; all at once if nothing is live yet\n");
    }
    out.append("  smoke test: ");
    for (SmokeCheck check : plan.smoke().checks()) {
      out.append("GET ").append(check.path()).append(' ');
    }
    out.append("at ").append(plan.smoke().baseUrl() != null ? plan.smoke().baseUrl() : "the release's URL")
        .append(" within ").append(plan.smoke().timeoutMillis() / 1000.0).append(" s\n");
    out.append(blocked.map(why -> "BLOCKED: " + why + "\n").orElse("  the deployment would proceed\n"));
    return out.toString();
  }

  /**
   * Where the release will answer, when known before it happens: on the local target its port; on
   * Cloudflare the workers.dev URL is only known from wrangler's output, so empty.
   */
  private static Optional<String> releaseUrl(DeploymentPlan plan) {
    return "local".equals(plan.target())
        ? Optional.of("http://127.0.0.1:" + plan.local().port()) : Optional.empty();
  }

  /** What checkpoint would take for a database with pending migrations. */
  private static String restorePoint(DeploymentPlan plan, String binding) {
    if (!"cloudflare".equals(plan.target())) {
      return "an SQL export of " + binding + " before migrating";
    }
    return "a Time Travel bookmark of " + binding + " before migrating"
        + (plan.checkpointExport() ? ", and an SQL export of it kept as a file ([checkpoint] export)" : "");
  }

  private static List<MigrationCheck> checksOf(SchemaReport schema, String binding) {
    return schema.checks() == null ? List.of()
        : schema.checks().stream().filter(c -> c.binding().equals(binding)).toList();
  }
}
