package dev.flaredeploy.cli.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@link CloudflareApi} over {@code java.net.http}, at {@code CLOUDFLARE_API_BASE_URL} as wrangler reads it (else
 * {@code https://api.cloudflare.com/client/v4}), with the token as a bearer. The token is never part of a
 * message or {@link #toString()}.
 */
public final class HttpCloudflareApi implements CloudflareApi {
  public static final String DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final String baseUrl;
  private final String token;

  public HttpCloudflareApi(String baseUrl, String token) {
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    String base = baseUrl == null || baseUrl.isBlank() ? DEFAULT_BASE_URL : baseUrl.strip();
    this.baseUrl = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.token = token;
  }

  @Override
  public Reply get(String path) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(20))
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json")
        .GET()
        .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode body;
      try {
        body = JSON.readTree(response.body());
      } catch (IOException notJson) {
        body = JSON.missingNode();
      }
      return new Reply(response.statusCode(), body == null ? JSON.missingNode() : body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  @Override
  public String baseUrl() {
    return baseUrl;
  }

  @Override
  public String toString() {
    return "HttpCloudflareApi[" + baseUrl + "]";
  }
}
