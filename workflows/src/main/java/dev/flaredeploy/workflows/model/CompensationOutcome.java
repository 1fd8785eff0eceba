package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** What a compensation did (or found already done). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CompensationOutcome(String detail, int attempt) {}
