package dev.flaredeploy.cli.render;

import dev.flaredeploy.workflows.model.FleetMemberReport;
import dev.flaredeploy.workflows.model.FleetOptions;
import dev.flaredeploy.workflows.model.FleetReport;

/** A fleet report as text for a person: the fleet, then one line per member. */
public final class FleetText {
  private FleetText() {}

  public static String render(FleetReport r) {
    StringBuilder out = new StringBuilder();
    out.append(r.id()).append(": ").append(r.state()).append('\n');
    out.append("  ").append(r.summary()).append('\n');
    if (r.selection() != null) {
      out.append("  selection ").append(r.selection()).append(" on ").append(r.target());
      if (r.options() != null) {
        out.append("; ").append(options(r.options()));
      }
      out.append('\n');
    }
    out.append("  run       ").append(r.runId()).append(r.runs() > 1 ? " (run " + r.runs() + " of the fleet)" : "")
        .append('\n');
    if (!r.members().isEmpty()) {
      int width = r.members().stream().mapToInt(m -> name(m).length()).max().orElse(0);
      out.append("  members\n");
      for (FleetMemberReport m : r.members()) {
        out.append(String.format("    %s %-" + width + "s  %-15s %-17s %s%n", mark(m.state()), name(m), m.state(),
            m.step() == null ? "-" : m.step(), m.summary() == null ? "" : m.summary()));
      }
    } else if (r.total() > 0) {
      out.append("  members: ").append(r.total()).append(" (their states need a worker or their own runs)\n");
    }
    for (FleetMemberReport m : r.members()) {
      if (m.digest() != null) {
        out.append("  APPROVAL NEEDED: ").append(name(m)).append(" waits for plan ").append(m.digest()).append(": ")
            .append(ApprovalCommands.approve(m.id(), m.digest())).append("  (or: ")
            .append(ApprovalCommands.reject(m.id())).append(")\n");
      }
    }
    for (String action : r.actionsRequired()) {
      out.append("  ACTION REQUIRED: ").append(action).append('\n');
    }
    for (String warning : r.warnings()) {
      out.append("  warning: ").append(warning).append('\n');
    }
    return out.toString();
  }

  /** "canary 1, then 2 at a time; stops after more than 0 failures". */
  public static String options(FleetOptions o) {
    return (o.canary() > 0 ? "canary " + o.canary() + ", then " : "") + o.parallel() + " at a time; stops after more"
        + " than " + o.maxFailures() + " failure" + (o.maxFailures() == 1 ? "" : "s")
        + (o.allOrNothing() ? "; every member's checks first (--all-or-nothing)" : "");
  }

  /** "hello-d1 (tenant-a)". */
  public static String name(FleetMemberReport m) {
    return m.service() + " (" + m.environment() + ")";
  }

  static String mark(String state) {
    return switch (state) {
      case "SUCCEEDED" -> "✓";
      case "RUNNING" -> "…";
      case "WAITING_FOR_APPROVAL" -> "?";
      case "PENDING" -> "·";
      case "SKIPPED" -> "-";
      case "CANCELLED" -> "⊘";
      case "NEEDS_ATTENTION" -> "!";
      default -> "✗";
    };
  }
}
