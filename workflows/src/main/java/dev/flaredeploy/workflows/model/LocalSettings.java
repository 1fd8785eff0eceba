package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Settings of the local target: the port on 127.0.0.1 where the released Worker is served. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LocalSettings(int port) {}
