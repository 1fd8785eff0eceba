package dev.flaredeploy.workflows.model;

import java.util.List;

/**
 * @param timeoutMillis how long checks may keep failing before the release is judged bad
 */
public record SmokePlan(long timeoutMillis, List<SmokeCheck> checks) {}
