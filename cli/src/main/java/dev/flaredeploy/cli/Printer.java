package dev.flaredeploy.cli;

import dev.flaredeploy.cli.render.FleetText;
import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.cli.render.ReportText;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.FleetReport;

/** A deployment report as the result on stdout (text or JSON); narration goes to stderr elsewhere. */
final class Printer {
  private Printer() {}

  static void report(OutputOptions output, DeploymentReport report) {
    if (output.json()) {
      output.out().println(Json.write(report));
    } else {
      output.out().print(ReportText.render(report));
    }
    output.out().flush();
  }

  /** A fleet report: the fleet and every member. */
  static void fleet(OutputOptions output, FleetReport report) {
    if (output.json()) {
      output.out().println(Json.write(report));
    } else {
      output.out().print(FleetText.render(report));
    }
    output.out().flush();
  }
}
