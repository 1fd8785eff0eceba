package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What the CLI asks for: deploy this project directory to this target and environment.
 *
 * <p>Holds no secret: credentials are read by activities from the worker's own environment.
 *
 * @param projectDir absolute path of the project on the worker's machine
 * @param environment wrangler environment name, or {@code "default"} for the top level
 * @param target {@code local} or {@code cloudflare}
 * @param service the Worker name as the CLI resolved it (prepare checks it again)
 * @param commit a git commit to deploy instead of the working tree as it is, or null
 * @param requestedBy who asked (user@host), for the history
 * @param allowDestructive let destructive and renaming migrations through (they block otherwise)
 * @param overrides policy rules to let through, each with its reason ({@code --override RULE --reason
 *     TEXT}); kept here so that the run's history records them. Null or empty: none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DeploymentRequest(
    String projectDir,
    String environment,
    String target,
    String service,
    String commit,
    String requestedBy,
    boolean allowDestructive,
    List<PolicyOverride> overrides) {}
