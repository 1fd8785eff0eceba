package dev.flaredeploy.cli.render;

import dev.flaredeploy.workflows.model.DatabaseReport;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.PolicyOverride;
import dev.flaredeploy.workflows.model.RolloutStepReport;
import dev.flaredeploy.workflows.model.StepReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A deployment report as text for a person. */
public final class ReportText {
  private ReportText() {}

  public static String render(DeploymentReport r) {
    StringBuilder out = new StringBuilder();
    out.append(r.service()).append(" (").append(r.environment()).append(", ").append(r.target()).append("): ")
        .append(r.state()).append('\n');
    out.append("  ").append(r.summary()).append('\n');
    out.append("  id       ").append(r.id()).append("  run ").append(r.runId()).append('\n');
    if (r.commit() != null || r.source() != null) {
      out.append("  source   ").append(r.source() == null ? "-" : r.source());
      if (r.commit() != null) {
        out.append(" from commit ").append(shortId(r.commit())).append(r.dirty() ? " with uncommitted changes" : "");
      }
      out.append('\n');
    }
    if (r.overrides() != null) {
      for (PolicyOverride o : r.overrides()) {
        out.append("  override ").append(o.rule()).append(": ").append(o.reason()).append('\n');
      }
    }
    if (r.release() != null && r.release().version() != null) {
      out.append("  release  ").append(r.release().version());
      if (r.release().url() != null) {
        out.append(" at ").append(r.release().url());
      }
      out.append(" (before: ").append(r.release().previousVersion() == null ? "none" : r.release().previousVersion())
          .append(")\n");
    }
    if (r.release() != null && r.release().rollout() != null) {
      var rollout = r.release().rollout();
      out.append("  rollout  ").append(rollout.note());
      if (rollout.versionId() != null) {
        out.append("; version ").append(rollout.versionId());
      }
      out.append('\n');
      for (RolloutStepReport s : rollout.steps()) {
        out.append(String.format("    %3d %%  %-9s %s  %s%n", s.percent(), s.result(),
            s.percent() == 0 ? "before traffic" : "soak " + Duration.ofMillis(s.soakMillis()).toString()
                .substring(2).toLowerCase(java.util.Locale.ROOT),
            s.detail() == null ? "" : s.detail()));
      }
    }
    if (!r.steps().isEmpty()) {
      out.append("  steps\n");
      for (StepReport s : r.steps()) {
        out.append("    ").append(stepLine(s)).append('\n');
      }
    }
    for (DatabaseReport d : r.databases()) {
      out.append("  database ").append(d.binding()).append(": pending ").append(list(d.pending()))
          .append(", applied ").append(list(d.applied()));
      if (d.checkpoint() != null) {
        out.append(", restore point ").append(d.checkpoint());
      }
      if (d.export() != null) {
        out.append(", SQL export kept at ").append(d.export());
      }
      out.append('\n');
    }
    if (r.checks() != null && !r.checks().isEmpty()) {
      out.append("  checks\n").append(CheckText.render(r.checks(), "    "));
    }
    if (r.error() != null) {
      out.append("  error    ").append(r.error().step()).append(": ").append(r.error().type()).append(": ")
          .append(r.error().message()).append('\n');
    }
    for (String action : r.actionsRequired()) {
      out.append("  ACTION REQUIRED: ").append(action).append('\n');
    }
    return out.toString();
  }

  public static String stepLine(StepReport s) {
    String mark = switch (s.state()) {
      case "SUCCEEDED" -> "✓";
      case "FAILED" -> "✗";
      case "RUNNING" -> "…";
      case "SKIPPED" -> "-";
      case "CANCELLED" -> "⊘";
      default -> "!";
    };
    String attempts = s.attempts() > 1 ? " (" + s.attempts() + " attempts)" : "";
    String took = s.finishedAt() == null ? "" : " " + seconds(s.startedAt(), s.finishedAt());
    return String.format("%s %-18s%s%s  %s", mark, s.name(), took, attempts, s.detail() == null ? "" : s.detail());
  }

  private static String seconds(String from, String to) {
    try {
      Duration d = Duration.between(Instant.parse(from), Instant.parse(to));
      return String.format("%.1fs", d.toMillis() / 1000.0);
    } catch (RuntimeException e) {
      return "";
    }
  }

  private static String list(List<String> names) {
    return names.isEmpty() ? "none" : String.join(", ", names);
  }

  private static String shortId(String id) {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }
}
