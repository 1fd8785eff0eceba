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
 * @param rollout a gradual rollout ({@code [rollout]}); null: the release takes all traffic at once
 * @param checkpointExport {@code [checkpoint] export}: on Cloudflare the checkpoint also keeps an SQL export
 *     of each database as a file (the local target's restore point is an export anyway)
 * @param policy the environment's pre-deploy policies and the request's overrides; null in plans recorded
 *     before it was added (nothing is checked then)
 * @param allowances destructive or renaming migrations flaredeploy.toml lets through ({@code
 *     [[migrations.allow]]}); null from plans made before allowances existed
 * @param cloudflare the Worker's name, account and compliance region from the wrangler config, for the
 *     Cloudflare target; null from plans made before it was added (the target then reads the snapshot)
 * @param approval the environment's {@code [approval]}; null when none (and in plans made before it existed)
 * @param notifications the {@code [[notify]]} entries (names of the worker's variables, never URLs); null or empty:
 *     none
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
    RolloutPlan rollout,
    boolean checkpointExport,
    PolicySettings policy,
    List<MigrationAllowance> allowances,
    CloudflareSettings cloudflare,
    ApprovalSettings approval,
    List<NotifyTarget> notifications) {

  /** Whether deployments of this plan wait for an approval after their checks. */
  public boolean approvalRequired() {
    return approval != null && approval.required();
  }

  /** The {@code [[notify]]} entries; empty when none. */
  public List<NotifyTarget> notifyTargets() {
    return notifications == null ? List.of() : notifications;
  }
}
