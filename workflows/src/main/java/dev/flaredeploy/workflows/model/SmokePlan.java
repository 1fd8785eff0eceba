package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * @param timeoutMillis how long checks may keep failing before the release is judged bad
 * @param baseUrl where the checks' paths are requested ({@code [smoke] base_url}, an absolute http(s) URL);
 *     null: the URL the release step reported
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SmokePlan(long timeoutMillis, List<SmokeCheck> checks, String baseUrl) {}
