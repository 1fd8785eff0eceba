package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Whether a notification got through: {@code warning} says why not (never the URL); null when delivered.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NotifyOutcome(boolean delivered, String warning) {}
