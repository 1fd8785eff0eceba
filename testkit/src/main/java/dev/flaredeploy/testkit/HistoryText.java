package dev.flaredeploy.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A Temporal workflow history as text a test can search for a secret. In a history's JSON ({@code
 * WorkflowHistory.toJson(true)}) every payload — activity inputs and results, failures' details and encoded
 * attributes, the memo, search attributes, heartbeat details, signals — is {@code {"metadata": {…}, "data":
 * "<base64>"}}, so a token inside one would not show in the JSON; here every payload is decoded (and a
 * payload that is itself such JSON, decoded again) and appended after the JSON.
 */
public final class HistoryText {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Payloads inside payloads are decoded this deep. */
  private static final int MAX_DEPTH = 4;

  private HistoryText() {}

  /** The history's JSON followed by every payload it holds, decoded as UTF-8, one per line. */
  public static String of(String historyJson) {
    StringBuilder text = new StringBuilder(historyJson);
    for (String payload : payloads(historyJson)) {
      text.append('\n').append(payload);
    }
    return text.toString();
  }

  /** Every payload of the history (at any depth), decoded as UTF-8, in the order they appear. */
  public static List<String> payloads(String historyJson) {
    List<String> decoded = new ArrayList<>();
    collect(read(historyJson), decoded, 0);
    return decoded;
  }

  private static void collect(JsonNode node, List<String> decoded, int depth) {
    if (node == null || depth > MAX_DEPTH) {
      return;
    }
    if (node.isObject() && node.path("data").isTextual() && node.path("metadata").isObject()) {
      String data = decode(node.path("data").asText());
      decoded.add(data);
      node.path("metadata").forEach(value -> {
        if (value.isTextual()) {
          decoded.add(decode(value.asText()));
        }
      });
      collect(read(data), decoded, depth + 1); // a payload whose data is JSON may hold payloads itself
    }
    if (node.isContainerNode()) {
      for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
        collect(fields.next().getValue(), decoded, depth);
      }
      if (node.isArray()) {
        node.forEach(element -> collect(element, decoded, depth));
      }
    }
  }

  private static String decode(String base64) {
    try {
      return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notStandard) {
      try {
        return new String(Base64.getUrlDecoder().decode(base64), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException notBase64) {
        return base64;
      }
    }
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException notJson) {
      return null;
    }
  }
}
