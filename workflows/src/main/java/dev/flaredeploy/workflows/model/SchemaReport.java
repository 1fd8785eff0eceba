package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What validate-schema saw: per database the applied and pending migrations, {@code liveRelease}: the
 * source id that is live (null when nothing is live, or what is live has no source id; on Cloudflare the
 * live version's tag, not its version id; the version id a rollback needs is in {@link Checkpoint}), what checking the pending migrations against a shadow found, warnings
 * (migration file sequence, statements wrangler may split wrongly), and drift: differences between the
 * live schema and the one the applied migrations produce; {@code preflight}: what the target found missing
 * before anything could be read or changed (a binding without database_id, an account conflict), each with
 * how to fix it; any of them blocks the deployment (its warnings are in {@code warnings}). {@code policies}:
 * one result per configured pre-deploy policy rule (null in reports recorded before policies existed).
 * {@code checksumProblems}: applied migrations whose file was edited or removed since (checked on every
 * deployment; any blocks).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SchemaReport(
    List<DatabaseStatus> databases,
    String liveRelease,
    int attempt,
    List<MigrationCheck> checks,
    List<String> warnings,
    List<String> drift,
    List<String> preflight,
    List<PolicyResult> policies,
    List<ChecksumProblem> checksumProblems) {}
