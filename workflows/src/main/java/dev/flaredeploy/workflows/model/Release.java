package dev.flaredeploy.workflows.model;

/** A Worker release that is live: its version and where it answers. */
public record Release(String version, String url, int attempt) {}
