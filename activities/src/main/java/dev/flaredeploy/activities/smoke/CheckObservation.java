package dev.flaredeploy.activities.smoke;

import dev.flaredeploy.workflows.model.SmokeCheck;

/**
 * What one smoke check saw in one round.
 *
 * @param status the HTTP status, or null when there was no response
 * @param bodyExcerpt the first {@value SmokeChecker#EXCERPT_CHARS} characters of the body on one line,
 *     or null when there was no response
 * @param error the connection error when there was no response, else null
 */
public record CheckObservation(
    SmokeCheck check, boolean passed, Integer status, String bodyExcerpt, String error, long millis) {

  /** E.g. {@code GET /health 200 in 12 ms}. */
  public String summary() {
    return "GET " + check.path() + " " + (status != null ? status : "no response") + " in " + millis + " ms";
  }

  /** What was expected and what was seen, for failure messages. */
  public String describe() {
    String expected =
        check.expectedStatus()
            + (check.expectBodyContains() != null
                ? " and a body containing \"" + check.expectBodyContains() + "\""
                : "");
    String seen =
        status == null
            ? "no response (" + error + ")"
            : "status " + status + ", body: " + (bodyExcerpt.isEmpty() ? "(empty)" : bodyExcerpt);
    return "GET " + check.path() + " expected " + expected + "; got " + seen;
  }
}
