package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command names a project the same way: by its directory or by its service name. */
class ProjectArgumentTest {
  @TempDir Path dir;

  @Test
  void aPathIsTheProjectDirectoryAndItsConfigNamesTheService() {
    Path project = WranglerProjectShapes.noDatabase(dir.resolve("apps/greeter"));

    ProjectArgument byPath = ProjectArgument.resolve("./apps/greeter", dir);
    ProjectArgument byName = ProjectArgument.resolve("apps", dir);

    assertThat(byPath.directory()).isEqualTo(project);
    assertThat(byPath.requireService()).isEqualTo("greeter");
    assertThat(byName.directory()).as("an existing directory, though it could be a name").isEqualTo(dir.resolve("apps"));
  }

  @Test
  void aServiceNameIsTheProjectInTheCurrentDirectoryWhenItHasThatName() {
    Path project = WranglerProjectShapes.noDatabase(dir.resolve("greeter-src"));

    ProjectArgument here = ProjectArgument.resolve("greeter", project);
    ProjectArgument elsewhere = ProjectArgument.resolve("greeter", dir);

    assertThat(here.directory()).isEqualTo(project);
    assertThat(elsewhere.directory()).isNull();
    assertThat(elsewhere.requireService()).isEqualTo("greeter");
    assertThat(catchThrowableOfType(CliException.class, () -> elsewhere.requireDirectory("deploy")))
        .hasMessageContaining("\"greeter\" is not a directory")
        .hasMessageContaining("flaredeploy deploy path/to/greeter")
        .extracting(CliException::exitCode).isEqualTo(2);
  }

  @Test
  void aMissingDirectoryOrANameThatIsNeitherIsExit2() {
    CliException missing = catchThrowableOfType(CliException.class, () -> ProjectArgument.resolve("./nope", dir));
    CliException neither = catchThrowableOfType(CliException.class, () -> ProjectArgument.resolve("Not A Name!", dir));

    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing).hasMessageStartingWith("no directory ./nope");
    assertThat(neither.exitCode()).isEqualTo(2);
    assertThat(neither).hasMessageContaining("is neither a directory nor a service name");
  }

  @Test
  void localStopTakesADirectoryOrAServiceNameAlike() throws Exception {
    WranglerProjectShapes.noDatabase(dir.resolve("my-app"));
    Map<String, String> env = Map.of("FLAREDEPLOY_HOME", Files.createDirectories(dir.resolve("home")).toString(),
        "PATH", System.getenv("PATH"));
    InProcessCli cli = new InProcessCli(env, dir);

    CliRunner.Result byDirectory = cli.run("local", "stop", "./my-app");
    CliRunner.Result byName = cli.run("local", "stop", "greeter");

    assertThat(byDirectory.exitCode()).isEqualTo(3);
    assertThat(byDirectory.stderr()).contains("the local target has nothing for greeter (default)");
    assertThat(byName.stderr()).isEqualTo(byDirectory.stderr());
  }
}
