package dev.flaredeploy.workflows.model;

/** Why a run did not succeed: the step, a failure type from {@code FailureTypes}, and the message. */
public record ErrorReport(String step, String type, String message) {}
