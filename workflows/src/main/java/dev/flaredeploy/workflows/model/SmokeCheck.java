package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One HTTP check against the release. The status passes when it is {@code expectStatus}; else, when {@code
 * expectStatusBelow} is set, when it is below that (500: anything but a server error); else when it is any 2xx.
 * {@code expectBodyContains} null means the body is not looked at.
 *
 * @param expectStatusBelow added after the first release: null in plans recorded before it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SmokeCheck(String path, Integer expectStatus, String expectBodyContains, Integer expectStatusBelow) {

  public SmokeCheck(String path, Integer expectStatus, String expectBodyContains) {
    this(path, expectStatus, expectBodyContains, null);
  }

  /** Whether {@code status} passes this check's status expectation. */
  public boolean acceptsStatus(int status) {
    if (expectStatus != null) {
      return status == expectStatus;
    }
    if (expectStatusBelow != null) {
      return status < expectStatusBelow;
    }
    return status >= 200 && status < 300;
  }

  /** The status expectation in words: {@code status 200}, {@code a status below 500}, {@code a 2xx status}. */
  @JsonIgnore
  public String expectedStatus() {
    return expectStatus != null ? "status " + expectStatus
        : expectStatusBelow != null ? "a status below " + expectStatusBelow : "a 2xx status";
  }
}
