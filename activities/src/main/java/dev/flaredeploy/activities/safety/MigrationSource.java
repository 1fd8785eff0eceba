package dev.flaredeploy.activities.safety;

/** A migration file by name (as the ledger records it) and its SQL text. */
public record MigrationSource(String name, String sql) {}
