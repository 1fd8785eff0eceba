package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * @param timeoutMillis how long checks may keep failing before the release is judged bad
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SmokePlan(long timeoutMillis, List<SmokeCheck> checks) {}
