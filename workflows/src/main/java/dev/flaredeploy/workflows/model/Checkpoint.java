package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** Restore points taken before anything changed, and the release that was live then (or null). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Checkpoint(List<RestorePoint> restorePoints, String liveRelease, int attempt) {}
