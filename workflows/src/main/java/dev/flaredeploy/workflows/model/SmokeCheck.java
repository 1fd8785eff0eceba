package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One HTTP check against the release. {@code expectStatus} null means any 2xx;
 * {@code expectBodyContains} null means the body is not looked at.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SmokeCheck(String path, Integer expectStatus, String expectBodyContains) {}
