package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A Worker release that is live: its version and where it answers. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Release(String version, String url, int attempt) {}
