package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What validate-schema found about one pending migration, from applying it to a shadow copy of the
 * database's current schema.
 *
 * @param classification ADDITIVE, NEUTRAL, TABLE_REBUILD, RENAME, DESTRUCTIVE, NO_SCHEMA_CHANGE, or FAILS
 *     (it does not apply to the current schema)
 * @param blocked true when this migration stops the deployment before anything changes
 * @param findings each effect in words
 * @param advice how to reach the same schema safely (expand/contract), when blocked
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MigrationCheck(
    String binding,
    String migration,
    String classification,
    boolean blocked,
    List<String> findings,
    String advice) {}
