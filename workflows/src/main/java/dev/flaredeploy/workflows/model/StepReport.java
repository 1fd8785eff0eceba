package dev.flaredeploy.workflows.model;

/** One step (or compensation) of a run. Times are ISO-8601 instants; finishedAt is null while it runs. */
public record StepReport(
    String name, String state, int attempts, String startedAt, String finishedAt, String detail) {}
