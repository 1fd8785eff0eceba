package dev.flaredeploy.workflows.model;

import java.util.List;

/** Restore points taken before anything changed, and the release that was live then (or null). */
public record Checkpoint(List<RestorePoint> restorePoints, String liveRelease, int attempt) {}
