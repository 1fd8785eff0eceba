package dev.flaredeploy.cli;

import dev.flaredeploy.activities.gate.Gate;
import dev.flaredeploy.activities.gate.RestorePoints;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.cli.render.ApprovalCommands;
import dev.flaredeploy.cli.render.CheckText;
import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.workflows.model.CheckFinding;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.PlanDigest;
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
    description = {"Show what `deploy` would do, changing nothing: the pre-deploy checks (preflight, [policy] rules,",
        "checksums of applied migrations, pending migrations tried in a shadow of each database's schema and",
        "classified, read-only probes of the rows they depend on, drift, rollout), the restore points, the",
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
        () -> Gate.run(planned.target(), plan, ProcessRunner.Tick.NONE, 0));
    Optional<String> blocked = Gate.blocked(schema);
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
    out.put("overrides", plan.policy() == null ? List.of() : plan.policy().overrides());
    Map<String, Object> approval = new LinkedHashMap<>();
    approval.put("required", plan.approvalRequired());
    approval.put("digest", PlanDigest.of(plan, schema).value());
    approval.put("plan", PlanDigest.of(plan, schema));
    approval.put("timeoutMillis", plan.approval() == null ? null : plan.approval().timeoutMillis());
    approval.put("approvers", plan.approval() == null ? List.of() : plan.approval().approvers());
    out.put("approval", approval);
    out.put("onDrift", plan.onDrift());
    out.put("allowances", plan.allowances());
    out.put("checks", schema.results());
    out.put("warnings", schema.results().stream().flatMap(r -> r.findings().stream())
        .filter(f -> CheckFinding.WARNING.equals(f.severity())).map(CheckFinding::message).toList());
    out.put("databases", schema.databases().stream().map(d -> {
      Map<String, Object> db = new LinkedHashMap<>();
      db.put("binding", d.binding());
      db.put("applied", d.applied());
      db.put("pending", d.pending());
      db.put("restorePoint", d.pending().isEmpty() ? null : RestorePoints.describe(plan, d.binding()));
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
    for (DatabaseStatus d : schema.databases()) {
      out.append("  database ").append(d.binding()).append(": ").append(d.applied().size()).append(" applied, ")
          .append(d.pending().size()).append(" pending")
          .append(d.pending().isEmpty() ? "" : " (" + String.join(", ", d.pending()) + ")").append('\n');
      if (!d.pending().isEmpty()) {
        out.append("    restore point: ").append(RestorePoints.describe(plan, d.binding())).append('\n');
      }
    }
    out.append("  checks\n").append(CheckText.render(schema.results(), "    "));
    if (!releaseNeeded && !migrationsPending && blocked.isEmpty()) {
      out.append("  nothing to do: no pending migrations and this source is already live\n");
      return out.toString();
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
    PlanDigest digest = PlanDigest.of(plan, schema);
    out.append("  plan digest: ").append(digest.value()).append(plan.approvalRequired()
        ? " (this environment requires an approval: a deployment would wait for `"
            + ApprovalCommands.approve("ID", digest.value()) + "`, and ask again if the plan changes while it waits)"
        : " (no approval required)").append('\n');
    out.append(blocked.map(why -> "BLOCKED: " + why + "\n").orElse(plan.approvalRequired()
        ? "  the deployment would wait for an approval, then proceed\n" : "  the deployment would proceed\n"));
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
}
