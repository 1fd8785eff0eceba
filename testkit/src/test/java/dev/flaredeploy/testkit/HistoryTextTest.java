package dev.flaredeploy.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class HistoryTextTest {
  private static String payload(String text) {
    return "{\"metadata\": {\"encoding\": \"" + base64("json/plain") + "\"}, \"data\": \"" + base64(text) + "\"}";
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aSecretInsideAnyPayloadIsFoundThoughTheJsonOnlyShowsBase64() {
    String history = "{\"events\": ["
        + "{\"activityTaskScheduledEventAttributes\": {\"input\": {\"payloads\": [" + payload("{\"plan\":1}") + "]}}},"
        + "{\"activityTaskCompletedEventAttributes\": {\"result\": {\"payloads\": ["
        + payload("{\"token\":\"cfut_secret\"}") + "]}}},"
        + "{\"upsertWorkflowSearchAttributesEventAttributes\": {\"searchAttributes\": {\"indexedFields\": "
        + "{\"State\": " + payload("\"RUNNING\"") + "}}}},"
        + "{\"activityTaskFailedEventAttributes\": {\"failure\": {\"message\": \"m\", \"applicationFailureInfo\": "
        + "{\"details\": {\"payloads\": [" + payload(payload("nested cfut_deeper")) + "]}}}}}"
        + "]}";

    assertThat(history).doesNotContain("cfut_secret");
    assertThat(HistoryText.of(history)).contains("cfut_secret", "RUNNING", "cfut_deeper", "json/plain");
    assertThat(HistoryText.payloads(history)).contains("{\"plan\":1}");
  }
}
