package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code flaredeploy --help} is where a newcomer starts: every command, each with a whole sentence. */
class HelpTest {
  private final InProcessCli cli = new InProcessCli(Map.of(), Path.of("."));

  @Test
  void helpListsEveryCommandWithAWholeSentence() {
    CliRunner.Result help = cli.run("--help");

    assertThat(help.exitCode()).isZero();
    assertThat(help.stdout()).contains("  init ", "  doctor ", "  deploy ", "  status ", "  local ");
    CommandLine root = FlaredeployCommand.commandLine();
    root.getSubcommands().forEach((name, sub) -> {
      String[] header = sub.getCommandSpec().usageMessage().header();
      if (!name.equals("help")) {
        assertThat(header).as(name + "'s summary").hasSize(1);
        assertThat(header[0]).as(name + "'s summary").endsWith(".").hasSizeLessThan(110);
        assertThat(help.stdout().replaceAll("\\s+", " ")).as("the summary of " + name + " in --help, whole")
            .contains(header[0]);
      }
    });
  }

  @Test
  void everySubcommandHasHelpThatExitsZero() {
    FlaredeployCommand.commandLine().getSubcommands().keySet().stream().filter(n -> !n.equals("help"))
        .forEach(name -> assertThat(cli.run(name, "--help").exitCode()).as(name + " --help").isZero());
  }
}
