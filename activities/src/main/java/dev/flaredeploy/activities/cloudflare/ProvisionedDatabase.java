package dev.flaredeploy.activities.cloudflare;

/**
 * A D1 database that {@link CloudflareTarget#provision} found or created for a binding whose config has no
 * {@code database_id}.
 *
 * @param created true when it was created now ({@code wrangler d1 create}), false when a database of that
 *     name already existed ({@code wrangler d1 list})
 * @param snippet what to put in the wrangler config so that the binding names the database
 */
public record ProvisionedDatabase(
    String binding, String databaseName, String databaseId, boolean created, String snippet) {}
