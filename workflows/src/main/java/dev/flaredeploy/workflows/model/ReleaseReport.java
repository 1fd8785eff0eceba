package dev.flaredeploy.workflows.model;

/** The release this deployment put live, the one live before it, and where it answers. */
public record ReleaseReport(String version, String previousVersion, String url) {}
