package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** docs/cli.md cannot drift from the commands: every command and option is documented. */
class CliReferenceDocTest {
  private static final Path ROOT = Path.of(System.getProperty("flaredeploy.root", "..")).toAbsolutePath();

  @Test
  void everyCommandAndOptionIsInTheCliReference() throws Exception {
    String doc = Files.readString(ROOT.resolve("docs/cli.md"));
    CommandLine cli = FlaredeployCommand.commandLine();
    assertDocumented(doc, cli);
    ExitCode.HELP.forEach((code, meaning) -> assertThat(doc).contains("| " + code + " | " + meaning + " |"));
  }

  private static void assertDocumented(String doc, CommandLine command) {
    for (OptionSpec option : command.getCommandSpec().options()) {
      if (!option.usageHelp() && !option.versionHelp()) {
        assertThat(doc).as("docs/cli.md mentions " + option.longestName()).contains(option.longestName());
      }
    }
    for (var sub : command.getSubcommands().entrySet()) {
      if (!sub.getKey().equals("help")) {
        String name = sub.getValue().getCommandSpec().qualifiedName().replaceFirst("^flaredeploy ", "");
        assertThat(doc).as("docs/cli.md documents `" + name + "`").contains("`" + name);
        assertDocumented(doc, sub.getValue());
      }
    }
  }
}
