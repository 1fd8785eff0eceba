package dev.flaredeploy.cli;

import dev.flaredeploy.activities.DeploymentTarget;
import dev.flaredeploy.activities.releases.ReleaseJournal;
import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.worker.ActivitiesFactory;
import dev.flaredeploy.workflows.DeploymentIds;
import dev.flaredeploy.workflows.model.ReleaseRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "releases", mixinStandardHelpOptions = true,
    header = "List the releases of an environment, newest first, and which one is live.",
    description = {"From the environment's release journal in the flaredeploy home (FLAREDEPLOY_HOME, else",
        "~/.flaredeploy: releases/<target>/<service>/<env>.jsonl), which the worker appends to after each deployment",
        "that succeeded and each rollback; it works without a Temporal server, embedded deployments included.",
        "Which release is live comes from the target itself (local: the supervised wrangler dev; Cloudflare: the",
        "Worker's deployments, with this process's credentials)."})
class ReleasesCommand implements Callable<Integer> {
  @Mixin ProjectOptions project;
  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    ProjectArgument argument = project.resolve();
    String service = argument.requireService();
    String target = project.targetOf(argument);
    Map<String, String> env = FlaredeployCommand.environment(output.mixee);
    ReleaseJournal journal = ActivitiesFactory.journal(env);
    List<ReleaseRecord> records = journal.read(target, service, project.environment);
    Optional<String> live = live(env, target, records);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = records.size() - 1; i >= 0; i--) {
      ReleaseRecord r = records.get(i);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("release", r.release());
      row.put("version", r.version());
      row.put("kind", r.kind());
      row.put("at", r.at());
      row.put("commit", r.commit());
      row.put("dirty", r.dirty());
      row.put("deployment", r.workflowId());
      row.put("runId", r.runId());
      row.put("requestedBy", r.requestedBy());
      Map<String, List<String>> applied = new LinkedHashMap<>();
      r.databases().stream().filter(d -> !d.applied().isEmpty()).forEach(d -> applied.put(d.binding(), d.applied()));
      row.put("migrationsApplied", applied);
      row.put("url", r.url());
      row.put("live", live.isPresent() && live.get().equals(r.version()) && isNewestWith(records, i));
      rows.add(row);
    }
    if (output.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("service", service);
      json.put("environment", project.environment);
      json.put("target", target);
      json.put("journal", journal.file(target, service, project.environment).toString());
      json.put("live", live.orElse(null));
      json.put("releases", rows);
      output.out().println(Json.write(json));
    } else {
      output.out().print(text(service, target, journal, live, rows));
    }
    output.out().flush();
    return ExitCode.SUCCEEDED;
  }

  private String text(String service, String target, ReleaseJournal journal, Optional<String> live,
      List<Map<String, Object>> rows) {
    StringBuilder out = new StringBuilder();
    out.append(service).append(" (").append(project.environment).append(", ").append(target).append("): ")
        .append(rows.size()).append(" release(s), newest first; live: ").append(live.map(ReleasesCommand::shortId)
            .orElse("none known")).append('\n');
    if (rows.isEmpty()) {
      out.append("  nothing recorded in ").append(journal.file(target, service, project.environment))
          .append(" (releases are recorded by the worker that deploys them, in its flaredeploy home)\n");
    }
    for (Map<String, Object> row : rows) {
      out.append(Boolean.TRUE.equals(row.get("live")) ? "* " : "  ")
          .append(shortId((String) row.get("release")))
          .append(ReleaseRecord.ROLLBACK.equals(row.get("kind")) ? " (rolled back to)" : "")
          .append("  ").append(row.get("at"))
          .append("  commit ").append(row.get("commit") == null ? "-" : shortId((String) row.get("commit"))
              + (Boolean.TRUE.equals(row.get("dirty")) ? "+dirty" : ""))
          .append("  run ").append(row.get("runId"))
          .append("  by ").append(row.get("requestedBy")).append('\n');
      @SuppressWarnings("unchecked")
      Map<String, List<String>> applied = (Map<String, List<String>>) row.get("migrationsApplied");
      out.append("      migrations applied: ").append(applied.isEmpty() ? "none" : String.join("; ",
          applied.entrySet().stream().map(e -> e.getKey() + " " + String.join(", ", e.getValue())).toList()))
          .append('\n');
    }
    return out.toString();
  }

  /** The newest record of its version is the live one (an older record of the same version was replaced since). */
  private static boolean isNewestWith(List<ReleaseRecord> records, int index) {
    for (int j = index + 1; j < records.size(); j++) {
      if (records.get(j).version() != null && !records.get(j).version().equals(records.get(index).version())) {
        continue;
      }
      return false;
    }
    return true;
  }

  /** What the target says is live, read with the newest record's plan; empty when it cannot tell. */
  private static Optional<String> live(Map<String, String> env, String target, List<ReleaseRecord> records) {
    if (records.isEmpty()) {
      return Optional.empty();
    }
    try {
      DeploymentTarget t = ActivitiesFactory.world(env).targets().get(target);
      return t == null ? Optional.empty() : t.liveRelease(records.get(records.size() - 1).plan());
    } catch (RuntimeException cannotTell) {
      return Optional.empty();
    }
  }

  /** A short id, {@code -} when there is none (a release not recorded with a commit). */
  static String shortId(String id) {
    return id == null ? "-" : DeploymentIds.shortId(id);
  }
}
