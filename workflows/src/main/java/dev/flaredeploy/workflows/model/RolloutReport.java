package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * How the release went out when {@code [rollout]} is configured.
 *
 * @param versionId the new version (Cloudflare's version id), null when none was uploaded
 * @param previousVersionId the version it shared traffic with, null when nothing was live
 * @param note how it went out in words: gradually, or at once and why (a first release has nothing to
 *     split traffic with)
 * @param steps the check before it took traffic (percent 0) and each rollout step, in order
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RolloutReport(
    String versionId, String previousVersionId, String note, List<RolloutStepReport> steps) {}
