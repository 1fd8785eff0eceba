package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One (service, environment) of a fleet: the deployment it runs as a child workflow under its usual id.
 *
 * @param request the deployment, exactly as a single {@code flaredeploy deploy} would start it
 * @param commit the commit the source comes from (for the child's search attribute and summary), null outside
 *     git
 * @param dirty the working tree had uncommitted changes
 * @param after indexes (in the fleet's member list, all lower than this member's) of the members this one binds
 *     through a wrangler service binding: it starts only once each of them succeeded, and is skipped when one
 *     did not
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FleetMember(DeploymentRequest request, String commit, boolean dirty, List<Integer> after) {}
