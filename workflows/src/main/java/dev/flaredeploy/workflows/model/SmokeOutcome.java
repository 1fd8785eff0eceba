package dev.flaredeploy.workflows.model;

/** Smoke checks that passed against a release, with a one-line account. */
public record SmokeOutcome(String detail, int attempt) {}
