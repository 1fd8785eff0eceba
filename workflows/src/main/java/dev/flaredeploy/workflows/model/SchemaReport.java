package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What validate-schema saw: per database the applied and pending migrations, the release live now
 * (null when nothing is live), and what checking the pending migrations against a shadow found.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SchemaReport(
    List<DatabaseStatus> databases, String liveRelease, int attempt, List<MigrationCheck> checks) {}
