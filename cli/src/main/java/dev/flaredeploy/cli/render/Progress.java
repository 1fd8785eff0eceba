package dev.flaredeploy.cli.render;

import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.StepReport;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Live step progress on stderr: one line when a step starts, one when it ends. */
public final class Progress implements Consumer<DeploymentReport> {
  private final PrintWriter err;
  private final List<StepReport> seen = new ArrayList<>();
  private String approvalShown;

  public Progress(PrintWriter err) {
    this.err = err;
  }

  @Override
  public void accept(DeploymentReport report) {
    List<StepReport> steps = report.steps();
    for (int i = 0; i < steps.size(); i++) {
      StepReport now = steps.get(i);
      StepReport before = i < seen.size() ? seen.get(i) : null;
      if (before != null && before.state().equals(now.state())) {
        continue;
      }
      if (now.state().equals("RUNNING")) {
        err.println("  … " + now.name() + ": " + now.detail());
      } else {
        err.println("  " + ReportText.stepLine(now));
      }
    }
    if ("WAITING_FOR_APPROVAL".equals(report.state()) && report.approval() != null
        && report.approval().plan() != null && !report.approval().plan().value().equals(approvalShown)) {
      approvalShown = report.approval().plan().value();
      err.println(ReportText.approvalHint(report));
    }
    err.flush();
    seen.clear();
    seen.addAll(steps);
  }
}
