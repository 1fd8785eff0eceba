package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What {@code flaredeploy rollback} asks for: put an earlier release of one environment live again.
 *
 * @param to the release to put live (a release id or version id, or a prefix of one that is unique in the
 *     journal); null: the release before the live one
 * @param restoreDatabase also put each database the undone deployment changed back to the restore point taken
 *     before it (refused when the database moved on since)
 * @param requestedBy who asked ({@code user@host})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RollbackRequest(
    String target, String service, String environment, String to, boolean restoreDatabase, String requestedBy) {}
