package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The release this deployment put live, the one live before it, and where it answers.
 *
 * @param rollout how it went out when {@code [rollout]} is configured (null otherwise)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReleaseReport(String version, String previousVersion, String url, RolloutReport rollout) {}
