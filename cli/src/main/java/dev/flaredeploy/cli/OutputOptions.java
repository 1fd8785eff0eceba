package dev.flaredeploy.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --output text|json} and where a command writes: the result on {@link #out()} (picocli's stdout, so a
 * test can run the command in-process), narration on {@link #err()}.
 */
final class OutputOptions {
  enum Format { text, json }

  @Spec(Spec.Target.MIXEE) CommandSpec mixee;

  @Option(names = "--output", paramLabel = "text|json",
      description = "result format on stdout: text or json (default: text)")
  Format output;

  boolean json() {
    return Inherited.nearest(mixee, OutputOptions.class, o -> o.output) == Format.json;
  }

  PrintWriter out() {
    return mixee.commandLine().getOut();
  }

  PrintWriter err() {
    return mixee.commandLine().getErr();
  }
}
