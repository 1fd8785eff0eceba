package dev.flaredeploy.workflows.model;

/** Settings of the local target: the port on 127.0.0.1 where the released Worker is served. */
public record LocalSettings(int port) {}
