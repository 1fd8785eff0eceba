package dev.flaredeploy.workflows.model;

/** A migration file by name (as wrangler records it in the ledger) and the sha256 of its content. */
public record MigrationFile(String name, String sha256) {}
