package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One D1 binding of the selected environment, as wrangler resolves it.
 *
 * @param migrationsDir relative to the config file's directory (default {@code migrations})
 * @param migrations the migration files in wrangler's order
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DatabasePlan(
    String binding,
    String databaseName,
    String databaseId,
    String migrationsDir,
    String migrationsTable,
    List<MigrationFile> migrations) {}
