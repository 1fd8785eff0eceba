package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** One step (or compensation) of a run. Times are ISO-8601 instants; finishedAt is null while it runs. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StepReport(
    String name, String state, int attempts, String startedAt, String finishedAt, String detail) {}
