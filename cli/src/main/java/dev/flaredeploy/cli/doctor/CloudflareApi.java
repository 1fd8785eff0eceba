package dev.flaredeploy.cli.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The Cloudflare API calls doctor makes (reads only), behind a seam of its own: {@link HttpCloudflareApi} with
 * plain {@code java.net.http} for now, to move onto the Cloudflare REST client of {@code activities/cloudflare}.
 */
public interface CloudflareApi {
  /**
   * One answer in Cloudflare's envelope.
   *
   * @param body the JSON body ({@code success}, {@code errors}, {@code result}), a missing node when not JSON
   */
  record Reply(int status, JsonNode body) {
    public boolean ok() {
      return status / 100 == 2 && body.path("success").asBoolean(false);
    }

    public JsonNode result() {
      return body.path("result");
    }

    /** The API's error messages with their codes, e.g. {@code Authentication error (10000)}. */
    public String errors() {
      StringBuilder out = new StringBuilder();
      for (JsonNode error : body.path("errors")) {
        out.append(out.length() == 0 ? "" : "; ").append(error.path("message").asText("?"));
        if (error.has("code")) {
          out.append(" (").append(error.path("code").asText()).append(')');
        }
      }
      return out.length() == 0 ? "HTTP " + status : out.toString();
    }
  }

  /** GET {@code path} (e.g. {@code /user/tokens/verify}) below the API's base URL. */
  Reply get(String path) throws IOException;

  /** Where the calls go, for messages. */
  String baseUrl();
}
