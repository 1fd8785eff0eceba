package dev.flaredeploy.activities.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flaredeploy.testkit.ExampleProjects;
import dev.flaredeploy.workflows.Steps;
import dev.flaredeploy.workflows.model.FreezeWindow;
import dev.flaredeploy.workflows.model.SmokeCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flaredeploy.toml example in docs/configuration.md loads, and means what the doc says it means. */
class ConfigurationDocTest {
  private static final Pattern TOML_BLOCK = Pattern.compile("```toml\\n(.*?)```", Pattern.DOTALL);

  @TempDir Path dir;

  @Test
  void documentedFlaredeployTomlLoadsWithTheDocumentedMeaning() throws IOException {
    Path project = ExampleProjects.copy("hello-d1", dir.resolve("hello-d1"));
    Files.writeString(project.resolve("flaredeploy.toml"), documentedExample());
    ProjectConfigLoader loader = new ProjectConfigLoader();

    LoadedProject top = loader.load(project, "default");
    assertThat(top.target()).isEqualTo("local");
    assertThat(top.fleetParallel()).isEqualTo(4);
    assertThat(top.smoke().timeoutMillis()).isEqualTo(30_000);
    assertThat(top.smoke().checks()).containsExactly(new SmokeCheck("/health", 200, "ok"));
    assertThat(top.local().port()).isEqualTo(8787);
    assertThat(top.restoreDatabaseOn()).isEqualTo(Steps.DEFAULT_RESTORE_DATABASE_ON);
    assertThat(top.allowances()).containsExactly(new dev.flaredeploy.workflows.model.MigrationAllowance(
        "0002_add_author.sql", "DB", "nothing reads the old column since v2"));

    LoadedProject staging = loader.load(project, "staging");
    assertThat(staging.target()).isEqualTo("cloudflare");
    assertThat(staging.local().port()).isEqualTo(8788);
    assertThat(top.smoke().baseUrl()).as("not set at the top level").isNull();
    assertThat(staging.smoke().baseUrl()).isEqualTo("https://staging.example.com");
    assertThat(staging.smoke().checks()).as("not overridden, so the top level's").isEqualTo(top.smoke().checks());
    assertThat(staging.smoke().timeoutMillis()).isEqualTo(top.smoke().timeoutMillis());
    assertThat(top.rolloutPlan()).as("no rollout at the top level").isNull();
    assertThat(staging.rolloutPlan())
        .isEqualTo(new dev.flaredeploy.workflows.model.RolloutPlan(java.util.List.of(10, 50, 100), 300_000));

    assertThat(top.policy().configures("freeze")).as("the top level's policies are commented out").isFalse();
    assertThat(top.policy().branches()).isNull();
    assertThat(staging.policy().branches()).containsExactly("main", "release/*");
    assertThat(staging.policy().requiredSecrets()).containsExactly("API_KEY");
    assertThat(staging.policy().freeze()).extracting(FreezeWindow::name).containsExactly("friday-afternoon", "year-end");
    assertThat(staging.policy().freeze().get(0).timeZone()).isEqualTo("Europe/Berlin");
    assertThat(staging.policy().freeze().get(1).end()).isEqualTo("2026-01-05T00:00:00Z");
  }

  /** The block of docs/configuration.md that is a flaredeploy.toml (the one that sets target). */
  private static String documentedExample() throws IOException {
    Path doc = ExampleProjects.repoRoot().resolve("docs/configuration.md");
    Matcher block = TOML_BLOCK.matcher(Files.readString(doc));
    List<String> examples =
        block.results().map(m -> m.group(1)).filter(toml -> toml.startsWith("target =")).toList();
    assertThat(examples).as("flaredeploy.toml examples in %s", doc).hasSize(1);
    return examples.get(0);
  }
}
