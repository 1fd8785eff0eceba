package dev.flaredeploy.cli.render;

import static dev.flaredeploy.workflows.DeploymentIds.shortId;

import dev.flaredeploy.workflows.model.ApprovalRecord;
import dev.flaredeploy.workflows.model.ApprovalReport;
import dev.flaredeploy.workflows.model.DatabaseReport;
import dev.flaredeploy.workflows.model.PlanDigest;
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
    if (r.approval() != null) {
      out.append(approval(r.approval(), "  "));
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
    if (r.warnings() != null) {
      for (String warning : r.warnings()) {
        out.append("  warning: ").append(warning).append('\n');
      }
    }
    if ("WAITING_FOR_APPROVAL".equals(r.state())) {
      out.append(approvalHint(r)).append('\n');
    }
    return out.toString();
  }

  /** The approval gate: what waits (or was approved) and every decision with who, when, digest and reason. */
  public static String approval(ApprovalReport a, String indent) {
    StringBuilder out = new StringBuilder();
    out.append(indent).append("approval ").append(a.state());
    if (a.plan() != null) {
      out.append(", plan digest ").append(a.plan().value());
    }
    if (a.expiresAt() != null) {
      out.append(", waiting since ").append(a.waitingSince()).append(", expires ").append(a.expiresAt());
    }
    out.append('\n');
    if (a.why() != null) {
      out.append(indent).append("  why: ").append(a.why()).append('\n');
    }
    out.append(indent).append("  approvers: ")
        .append(a.approvers() == null || a.approvers().isEmpty() ? "anyone" : String.join(", ", a.approvers()))
        .append('\n');
    if (a.plan() != null) {
      out.append(plan(a.plan(), indent + "  "));
    }
    if (a.decisions() != null) {
      for (ApprovalRecord d : a.decisions()) {
        out.append(indent).append("  ").append(d.decision()).append(' ').append(d.digest()).append(" at ").append(d.at())
            .append(d.by() == null ? "" : " by " + d.by())
            .append(d.reason() == null ? "" : ": " + d.reason()).append('\n');
      }
    }
    return out.toString();
  }

  /** What a plan digest covers, one line each. */
  public static String plan(PlanDigest p, String indent) {
    StringBuilder out = new StringBuilder();
    out.append(indent).append("source ").append(p.source()).append(", replacing ")
        .append(p.liveRelease() == null ? "nothing (first release)" : p.liveRelease()).append('\n');
    out.append(indent).append("pending ").append(p.pending().isEmpty() ? "none" : String.join(", ", p.pending()))
        .append('\n');
    for (String d : p.drift()) {
      out.append(indent).append("drift ").append(d).append('\n');
    }
    for (String o : p.overrides()) {
      out.append(indent).append("override ").append(o).append('\n');
    }
    return out.toString();
  }

  /** How to approve or reject the plan a deployment waits on. */
  public static String approvalHint(DeploymentReport r) {
    String digest = r.approval() == null || r.approval().plan() == null ? "DIGEST" : r.approval().plan().value();
    String expires = r.approval() == null || r.approval().expiresAt() == null ? "" : " (until " + r.approval().expiresAt() + ")";
    return "  waiting for approval of plan " + digest + expires
        + (r.approval() != null && r.approval().why() != null ? ": " + r.approval().why() : "") + "\n"
        + "    approve: " + ApprovalCommands.approve(r.id(), digest) + " [--reason TEXT]\n"
        + "    reject:  " + ApprovalCommands.reject(r.id());
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
}
