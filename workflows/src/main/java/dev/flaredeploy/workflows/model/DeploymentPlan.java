package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The outcome of prepare: everything later steps need, pinned. A resumed deployment works from this
 * record only, never from the project directory as it may be now.
 *
 * @param configFile file name of the wrangler config inside the snapshot (wrangler.toml, …)
 * @param restoreDatabaseOn steps whose failure also restores the databases (see {@code Steps})
 * @param allowDestructive destructive and renaming migrations may go through (from the request)
 * @param onDrift "fail" or "warn": what a live schema that differs from the applied migrations does
 * @param allowances destructive or renaming migrations flaredeploy.toml lets through ({@code
 *     [[migrations.allow]]}); null from plans made before allowances existed
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DeploymentPlan(
    String service,
    String environment,
    String target,
    SourceSnapshot source,
    String configFile,
    List<DatabasePlan> databases,
    SmokePlan smoke,
    List<String> restoreDatabaseOn,
    LocalSettings local,
    int attempt,
    boolean allowDestructive,
    String onDrift,
    List<MigrationAllowance> allowances) {}
