package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A policy rule a deployment was told to skip ({@code --override RULE --reason TEXT}); recorded in the
 * workflow input, so in the run's history.
 *
 * @param rule one of {@link PolicySettings#RULES}
 * @param reason why, as the person gave it; never blank
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PolicyOverride(String rule, String reason) {}
