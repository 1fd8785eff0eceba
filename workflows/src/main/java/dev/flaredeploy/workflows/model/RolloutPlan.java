package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * A gradual rollout ({@code [rollout]} in flaredeploy.toml): the new version takes {@code steps} percent of
 * the traffic in turn, each for {@code soakMillis} while the smoke checks keep running against it.
 *
 * @param steps percentages, strictly increasing, 1 to 100, the last 100
 * @param soakMillis how long each step lasts before the next one (greater than 0)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RolloutPlan(List<Integer> steps, long soakMillis) {}
