package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Smoke checks that passed against a release, with a one-line account. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SmokeOutcome(String detail, int attempt) {}
