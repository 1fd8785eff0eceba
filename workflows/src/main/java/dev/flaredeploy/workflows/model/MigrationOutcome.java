package dev.flaredeploy.workflows.model;

import java.util.List;

/** The migrations this attempt (and earlier attempts of the same step) applied to one binding. */
public record MigrationOutcome(String binding, List<String> applied, int attempt) {}
