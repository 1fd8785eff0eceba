package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** What a traffic shift did (or found already in place). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ShiftOutcome(String detail, int attempt) {}
