package dev.flaredeploy.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ActivitiesFactoryTest {
  @TempDir Path home;

  /** The Cloudflare target is registered without credentials: only a deployment that needs them fails. */
  @Test
  void startsWithoutCloudflareCredentials() {
    Map<String, String> env = Map.of("FLAREDEPLOY_HOME", home.toString(), "FLAREDEPLOY_WRANGLER", "/bin/true");

    assertThat(ActivitiesFactory.create(env)).isNotNull();
  }
}
