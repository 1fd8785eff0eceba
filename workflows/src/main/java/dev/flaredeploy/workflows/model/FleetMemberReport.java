package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One member of a fleet as a person sees it.
 *
 * @param index the member's place in the fleet's order (0-based)
 * @param id the member's deployment id, {@code deploy:<target>:<service>:<environment>}
 * @param state one of {@link FleetMemberState}
 * @param step the step it is in or ended at, when the fleet knows it (the child's own report always does)
 * @param summary what happened, in a sentence
 * @param runId the run this fleet started under {@code id}, null when it never started
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FleetMemberReport(
    int index,
    String id,
    String service,
    String environment,
    String state,
    String step,
    String summary,
    String runId,
    String startedAt,
    String finishedAt) {}
