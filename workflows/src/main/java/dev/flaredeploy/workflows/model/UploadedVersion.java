package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A new Worker version uploaded but not yet serving all traffic (the first step of a gradual rollout).
 *
 * @param versionId the target's id of the version (Cloudflare's version id)
 * @param workerName the Worker's name in the environment (what a version override names)
 * @param url where the Worker answers (its workers.dev URL as wrangler reports it)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UploadedVersion(String versionId, String workerName, String url, int attempt) {}
