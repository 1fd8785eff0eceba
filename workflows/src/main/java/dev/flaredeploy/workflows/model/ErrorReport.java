package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Why a run did not succeed: the step, a failure type from {@code FailureTypes}, and the message. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ErrorReport(String step, String type, String message) {}
