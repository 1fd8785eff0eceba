package dev.flaredeploy.workflows;

import java.util.List;

/** Step names: the activity type names, and the words users see for each step. Defined once, here. */
public final class Steps {
  public static final String PREPARE = "prepare";
  public static final String VALIDATE_SCHEMA = "validate-schema";
  public static final String CHECKPOINT = "checkpoint";
  public static final String APPLY_MIGRATIONS = "apply-migrations";
  public static final String DEPLOY_WORKER = "deploy-worker";
  public static final String SMOKE_TEST = "smoke-test";
  public static final String ROLLBACK_WORKER = "rollback-worker";
  public static final String RESTORE_DATABASE = "restore-database";
  /**
   * takes the lock of a database before its restore point (one migrator per database); shown as a step only
   * while it waits for another deployment
   */
  public static final String LOCK_DATABASE = "lock-database";

  // a gradual rollout ([rollout]) replaces deploy-worker with these
  /** uploads the new version without giving it traffic */
  public static final String UPLOAD_VERSION = "upload-version";
  /** puts a traffic split between the new version and the previous one in place */
  public static final String SHIFT_TRAFFIC = "shift-traffic";
  /** runs the smoke checks against the new version only (Cloudflare: a version override header) */
  public static final String SMOKE_TEST_VERSION = "smoke-test-version";
  /** a rollout step's wait on a durable timer while the checks keep running; not an activity */
  public static final String SOAK = "soak";

  // production controls
  /** the wait for a person to approve the plan's digest ({@code [approval]}); not an activity */
  public static final String WAIT_FOR_APPROVAL = "wait-for-approval";
  /** posts one event to one {@code [[notify]]} webhook; never fails the run */
  public static final String NOTIFY = "notify";
  /** appends the release to the environment's release journal (what {@code releases} and {@code rollback} read) */
  public static final String RECORD_RELEASE = "record-release";
  /** works out what a rollback will do from the release journal and the target */
  public static final String PLAN_ROLLBACK = "plan-rollback";

  /** Steps whose failure may restore the databases ({@code [compensation] restore_database_on}). */
  public static final List<String> RESTORABLE = List.of(APPLY_MIGRATIONS, DEPLOY_WORKER, SMOKE_TEST);

  /** Default of {@code restore_database_on}: only a failed migration restores the databases. */
  public static final List<String> DEFAULT_RESTORE_DATABASE_ON = List.of(APPLY_MIGRATIONS);

  /**
   * The step a failure counts as for {@code restore_database_on}: the rollout's steps count as the step they
   * stand in for (upload-version and shift-traffic as deploy-worker, the checks and soaks as smoke-test).
   */
  public static String restorableAs(String step) {
    return switch (step) {
      case UPLOAD_VERSION, SHIFT_TRAFFIC -> DEPLOY_WORKER;
      case SMOKE_TEST_VERSION, SOAK -> SMOKE_TEST;
      default -> step;
    };
  }

  private Steps() {}
}
