package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A traffic split to put in place: {@code percent} of the requests to {@code versionId}, the rest to {@code
 * previousVersionId} (none when {@code percent} is 100).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TrafficShift(String versionId, String previousVersionId, int percent) {}
