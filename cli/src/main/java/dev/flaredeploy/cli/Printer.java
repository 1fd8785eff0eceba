package dev.flaredeploy.cli;

import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.cli.render.ReportText;
import dev.flaredeploy.workflows.model.DeploymentReport;

/** Results on stdout (text or JSON); narration goes to stderr elsewhere. */
final class Printer {
  private Printer() {}

  static void report(FlaredeployCommand root, DeploymentReport report) {
    if (root.output == FlaredeployCommand.OutputFormat.json) {
      System.out.println(Json.write(report));
    } else {
      System.out.print(ReportText.render(report));
    }
    System.out.flush();
  }
}
