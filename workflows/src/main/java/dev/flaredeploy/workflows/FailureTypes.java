package dev.flaredeploy.workflows;

import java.util.Set;

/**
 * Failure types carried by {@code ApplicationFailure}s; the CLI maps them to exit codes. Defined once,
 * here.
 */
public final class FailureTypes {
  /** the project's configuration is wrong (wrangler config, flaredeploy.toml, environment, binding) */
  public static final String CONFIG_INVALID = "ConfigInvalid";
  /** the pinned source is gone and cannot be rebuilt, or the requested commit does not exist */
  public static final String SOURCE_UNAVAILABLE = "SourceUnavailable";
  /**
   * the worker has no Cloudflare credentials: {@code CLOUDFLARE_API_TOKEN} is not set in its environment
   * (the token never travels in a workflow input)
   */
  public static final String CREDENTIALS_MISSING = "CredentialsMissing";
  /**
   * the target is not ready for this deployment (a D1 binding without database_id, account_id and
   * CLOUDFLARE_ACCOUNT_ID disagreeing): found by validate-schema's preflight before anything was changed
   */
  public static final String PREFLIGHT_FAILED = "PreflightFailed";
  /** a tool flaredeploy needs (wrangler, git) is missing on the worker */
  public static final String TOOL_MISSING = "ToolMissing";
  /** a migration failed to apply (bad SQL, constraint); retrying cannot fix it */
  public static final String MIGRATION_FAILED = "MigrationFailed";
  /**
   * a pending migration fails against a shadow of the current schema, or is destructive or renaming
   * without an allowance; nothing was changed
   */
  public static final String MIGRATION_UNSAFE = "MigrationUnsafe";
  /**
   * a pending migration would fail on the rows the database holds (duplicates under a new UNIQUE index,
   * NULLs for a new NOT NULL, rows a new CHECK or foreign key refuses), as read-only probes of the live
   * database showed; nothing was changed
   */
  public static final String DATA_CONFLICT = "DataConflict";
  /**
   * a pre-deploy policy of flaredeploy.toml (freeze window, branch, clean tree, required secrets) failed and
   * was not overridden; nothing was changed
   */
  public static final String POLICY_BLOCKED = "PolicyBlocked";
  /** the new release could not be put live */
  public static final String RELEASE_FAILED = "ReleaseFailed";
  /** the release did not pass its smoke checks within the smoke timeout */
  public static final String SMOKE_TEST_FAILED = "SmokeTestFailed";
  /** wrangler failed in a way a retry may fix */
  public static final String WRANGLER_FAILED = "WranglerFailed";
  /**
   * Cloudflare's API refused a request (401/403: the token is wrong or lacks a permission; 404: an unknown
   * database or account; another 4xx): the message names what the request was for and what to fix; a retry
   * cannot help
   */
  public static final String CLOUDFLARE_REFUSED = "CloudflareRefused";
  /**
   * Cloudflare's API stayed unavailable (rate limited, 5xx, unreachable) through the activity's own bounded
   * retries; the step may be retried later
   */
  public static final String CLOUDFLARE_UNAVAILABLE = "CloudflareUnavailable";
  /**
   * restore-database refused to restore: the database moved on since the restore point through someone
   * else (another deployment sharing the database applied migrations after this one, or a person changed
   * its ledger), and restoring would remove their migrations; nothing was restored, a person must decide
   */
  public static final String RESTORE_REFUSED = "RestoreRefused";
  /** a compensation failed; a person must act */
  public static final String COMPENSATION_FAILED = "CompensationFailed";
  /** a person rejected the plan while it waited for approval; nothing was changed */
  public static final String APPROVAL_REJECTED = "ApprovalRejected";
  /** nobody approved or rejected within the approval timeout; nothing was changed */
  public static final String APPROVAL_EXPIRED = "ApprovalExpired";
  /**
   * after its approval the deployment waited for a shared database's lock, and under the lock the checks found
   * a plan the approval did not cover (not just fewer migrations); nothing was changed: deploy again and approve
   * the new plan
   */
  public static final String APPROVED_PLAN_CHANGED = "ApprovedPlanChanged";
  /** approve/reject refused: the deployment is not waiting for an approval (now) */
  public static final String NOT_WAITING_FOR_APPROVAL = "NotWaitingForApproval";
  /** approve refused: the digest is not the one the deployment shows (the plan changed, or a typo) */
  public static final String STALE_DIGEST = "StaleDigest";
  /** approve/reject refused: whoever sent it is not in the environment's approvers */
  public static final String NOT_AN_APPROVER = "NotAnApprover";
  /**
   * a rollback cannot go ahead: the release is no longer kept, nothing earlier was released, or a database
   * moved on since its restore point; the message says what to do instead. Nothing was changed
   */
  public static final String ROLLBACK_REFUSED = "RollbackRefused";
  /** the workflow's own terminal failure: the run did not succeed (details in the report memo) */
  public static final String DEPLOYMENT_FAILED = "DeploymentFailed";
  /** a fleet run's terminal failure: a member did not succeed (the fleet's report is the failure's details) */
  public static final String FLEET_FAILED = "FleetFailed";

  /** Types a retry cannot fix; listed in every activity's RetryOptions.doNotRetry. */
  public static final Set<String> NON_RETRYABLE =
      Set.of(CONFIG_INVALID, SOURCE_UNAVAILABLE, CREDENTIALS_MISSING, TOOL_MISSING, MIGRATION_FAILED,
          MIGRATION_UNSAFE, PREFLIGHT_FAILED, POLICY_BLOCKED,
          SMOKE_TEST_FAILED, CLOUDFLARE_REFUSED, DATA_CONFLICT, ROLLBACK_REFUSED, RESTORE_REFUSED,
          APPROVED_PLAN_CHANGED);

  private FailureTypes() {}
}
