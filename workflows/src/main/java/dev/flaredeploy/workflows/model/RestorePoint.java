package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Where one database can be put back to.
 *
 * @param location local: path of the SQL export; cloudflare: a Time Travel bookmark
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RestorePoint(String binding, String location) {}
