package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One step of a gradual rollout.
 *
 * @param percent the new version's share of the traffic; 0 for the check before it took any
 * @param soakMillis how long the step lasted (planned) while the checks kept running
 * @param result PENDING, RUNNING, PASSED, FAILED, CANCELLED, or NOT_RUN (an earlier step failed or was cancelled)
 * @param detail what the checks found
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RolloutStepReport(int percent, long soakMillis, String result, String detail) {}
