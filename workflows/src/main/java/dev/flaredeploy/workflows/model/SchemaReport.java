package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What validate-schema saw: per database the applied and pending migrations, and the release live now
 * (null when nothing is live).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SchemaReport(List<DatabaseStatus> databases, String liveRelease, int attempt) {}
