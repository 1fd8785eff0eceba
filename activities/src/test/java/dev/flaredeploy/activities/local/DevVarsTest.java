package dev.flaredeploy.activities.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secret names wrangler dev gives the Worker, found in the files wrangler 4.86 reads. */
class DevVarsTest {
  @TempDir Path dir;

  @Test
  void readsNamesOnlyFromDevVars() throws IOException {
    Files.writeString(dir.resolve(".dev.vars"), """
        # a comment
        API_KEY=s3cr3t-value
        export SIGNING_KEY = "quoted # not a comment"
        PEM="-----BEGIN KEY-----
        NOT_A_NAME=inside the quoted value
        -----END KEY-----"
        EMPTY=
        """);

    assertThat(DevVars.names(dir, "default")).containsExactly("API_KEY", "SIGNING_KEY", "PEM", "EMPTY");
  }

  @Test
  void anEnvironmentsOwnDevVarsReplacesTheSharedOne() throws IOException {
    Files.writeString(dir.resolve(".dev.vars"), "API_KEY=a\nSHARED=b\n");
    Files.writeString(dir.resolve(".dev.vars.production"), "API_KEY=c\n");

    assertThat(DevVars.names(dir, "production")).containsExactly("API_KEY");
    assertThat(DevVars.names(dir, "staging")).containsExactly("API_KEY", "SHARED");
    assertThat(DevVars.names(dir, "default")).containsExactly("API_KEY", "SHARED");
  }

  @Test
  void withoutDevVarsTheDotenvFilesAreReadTogether() throws IOException {
    Files.writeString(dir.resolve(".env"), "A=1\n");
    Files.writeString(dir.resolve(".env.local"), "B=1\n");
    Files.writeString(dir.resolve(".env.production"), "C=1\n");
    Files.writeString(dir.resolve(".env.production.local"), "D=1\nA=2\n");

    assertThat(DevVars.names(dir, "production")).containsExactly("A", "B", "C", "D");
    assertThat(DevVars.names(dir, "default")).containsExactly("A", "B");
  }

  @Test
  void noFilesNoSecrets() {
    assertThat(DevVars.names(dir, "production")).isEmpty();
  }
}
