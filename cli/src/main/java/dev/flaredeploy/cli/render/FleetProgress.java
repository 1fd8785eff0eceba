package dev.flaredeploy.cli.render;

import dev.flaredeploy.workflows.model.FleetMemberReport;
import dev.flaredeploy.workflows.model.FleetReport;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A fleet's progress on stderr: one line per member each time its state (or, while it runs, its step) changes.
 * Members still pending are not mentioned until they start or are skipped; a member that waits for an approval says
 * how to approve it.
 */
public final class FleetProgress implements Consumer<FleetReport> {
  private final PrintWriter err;
  private final Map<Integer, String> seen = new HashMap<>();

  public FleetProgress(PrintWriter err) {
    this.err = err;
  }

  @Override
  public void accept(FleetReport report) {
    for (FleetMemberReport m : report.members()) {
      if (m.state().equals("PENDING")) {
        continue;
      }
      String now = m.state() + "|" + (m.state().equals("RUNNING") ? m.step() : "") + "|" + m.digest();
      if (now.equals(seen.put(m.index(), now))) {
        continue;
      }
      String name = FleetText.name(m);
      if (m.digest() != null) {
        err.println("  ? " + name + ": waits for approval of plan " + m.digest() + ": " + ApprovalCommands.approve(m.id(), m.digest())
            + "  (or: " + ApprovalCommands.reject(m.id()) + "); the fleet counts it as running");
      } else if (m.state().equals("RUNNING")) {
        err.println("  … " + name + ": " + (m.step() == null ? "started (member " + (m.index() + 1) + " of "
            + report.total() + ")" : m.step()));
      } else {
        err.println("  " + FleetText.mark(m.state()) + " " + name + ": " + m.state()
            + (m.summary() == null ? "" : " — " + m.summary()));
      }
    }
    err.flush();
  }
}
