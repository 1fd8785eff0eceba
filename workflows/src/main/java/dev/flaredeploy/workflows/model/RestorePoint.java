package dev.flaredeploy.workflows.model;

/**
 * Where one database can be put back to.
 *
 * @param location local: path of the SQL export; cloudflare: a Time Travel bookmark
 */
public record RestorePoint(String binding, String location) {}
