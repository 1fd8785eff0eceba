package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * How a fleet run goes: waves and a failure budget.
 *
 * @param canary how many members (the first ones, in the fleet's order) deploy alone before the rest; 0: none
 * @param parallel how many members deploy at once (at least 1)
 * @param maxFailures once more members than this have failed, no new member starts; the rest end SKIPPED
 * @param allOrNothing every member's checks (prepare and validate-schema) run and must pass before any member
 *     changes anything
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FleetOptions(int canary, int parallel, int maxFailures, boolean allOrNothing) {}
