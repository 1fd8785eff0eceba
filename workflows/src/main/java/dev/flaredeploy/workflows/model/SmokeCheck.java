package dev.flaredeploy.workflows.model;

/**
 * One HTTP check against the release. {@code expectStatus} null means any 2xx;
 * {@code expectBodyContains} null means the body is not looked at.
 */
public record SmokeCheck(String path, Integer expectStatus, String expectBodyContains) {}
