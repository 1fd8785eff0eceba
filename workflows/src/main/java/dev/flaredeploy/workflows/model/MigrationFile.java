package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A migration file by name (as wrangler records it in the ledger) and the sha256 of its content. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MigrationFile(String name, String sha256) {}
