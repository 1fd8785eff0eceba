package dev.flaredeploy.activities.cloudflare.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flaredeploy.activities.cloudflare.CloudflareException;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.testkit.CloudflareApiRecorder;
import dev.flaredeploy.workflows.FailureTypes;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client's own rules: where it goes, how it verifies a token, what it says when the token is refused. */
class CloudflareApiTest {
  private static final String TOKEN = "cfut_0123456789abcdef0123456789abcdef";
  private static final String ACCOUNT = "0123456789abcdef0123456789abcdef";

  @Test
  void theBaseUrlIsTheOneWranglerWouldUse() {
    assertThat(CloudflareApi.baseUrl(Map.of(), null)).isEqualTo(CloudflareApi.DEFAULT_BASE_URL);
    assertThat(CloudflareApi.baseUrl(Map.of("CLOUDFLARE_API_BASE_URL", "http://127.0.0.1:9/client/v4",
        "CF_API_BASE_URL", "http://elsewhere"), null)).isEqualTo("http://127.0.0.1:9/client/v4");
    assertThat(CloudflareApi.baseUrl(Map.of("CF_API_BASE_URL", "http://legacy/client/v4"), null))
        .isEqualTo("http://legacy/client/v4");
    assertThat(CloudflareApi.baseUrl(Map.of("WRANGLER_API_ENVIRONMENT", "staging"), null))
        .isEqualTo("https://api.staging.cloudflare.com/client/v4");
    assertThat(CloudflareApi.baseUrl(Map.of("CLOUDFLARE_COMPLIANCE_REGION", "fedramp_high"), null))
        .isEqualTo("https://api.fed.cloudflare.com/client/v4");
    assertThat(CloudflareApi.baseUrl(Map.of(), "fedramp_high")).isEqualTo("https://api.fed.cloudflare.com/client/v4");
    assertThatThrownBy(() -> CloudflareApi.baseUrl(Map.of("CLOUDFLARE_COMPLIANCE_REGION", "public"), "fedramp_high"))
        .isInstanceOfSatisfying(CloudflareException.class,
            e -> assertThat(e.failureType()).isEqualTo(FailureTypes.CONFIG_INVALID));
  }

  @Test
  void aTokenIsVerifiedAndAWrongOneIsRefusedWithoutBeingQuoted() {
    try (CloudflareApiRecorder recorder = CloudflareApiRecorder.start(TOKEN, ACCOUNT)) {
      CloudflareApi api = CloudflareApi.fromEnvironment(Map.of(
          "CLOUDFLARE_API_TOKEN", TOKEN, "CLOUDFLARE_API_BASE_URL", recorder.baseUrl()));
      assertThat(api.verifyToken(Tick.NONE).active()).isTrue();
      assertThat(api.accountId(null, Tick.NONE)).isEqualTo(ACCOUNT);
      assertThat(recorder.callLines()).containsExactly("GET /user/tokens/verify", "GET /memberships?per_page=50");

      String wrong = "cfut_not-the-right-one-at-all-0123456789";
      CloudflareApi refused = CloudflareApi.fromEnvironment(Map.of(
          "CLOUDFLARE_API_TOKEN", wrong, "CLOUDFLARE_API_BASE_URL", recorder.baseUrl()));
      recorder.echoAuthorizationInErrors();
      assertThatThrownBy(() -> refused.verifyToken(Tick.NONE))
          .isInstanceOfSatisfying(CloudflareApiException.class, e -> {
            assertThat(e.failureType()).isEqualTo(FailureTypes.CLOUDFLARE_REFUSED);
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.getMessage()).startsWith("Cloudflare refused to verify the API token")
                .contains("was not accepted", "Bearer ***").doesNotContain(wrong);
          });
    }
  }

  @Test
  void withoutATokenNothingIsCalled() {
    try (CloudflareApiRecorder recorder = CloudflareApiRecorder.start(TOKEN, ACCOUNT)) {
      CloudflareApi api = CloudflareApi.fromEnvironment(Map.of("CLOUDFLARE_API_BASE_URL", recorder.baseUrl()));
      assertThatThrownBy(() -> api.verifyToken(Tick.NONE)).isInstanceOfSatisfying(CloudflareException.class,
          e -> assertThat(e.failureType()).isEqualTo(FailureTypes.CREDENTIALS_MISSING));
      assertThat(recorder.calls()).isEmpty();
    }
  }
}
