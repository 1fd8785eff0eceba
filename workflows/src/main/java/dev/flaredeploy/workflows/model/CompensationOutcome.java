package dev.flaredeploy.workflows.model;

/** What a compensation did (or found already done). */
public record CompensationOutcome(String detail, int attempt) {}
