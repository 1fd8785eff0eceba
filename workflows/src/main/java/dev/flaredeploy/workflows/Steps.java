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

  /** Steps whose failure may restore the databases ({@code [compensation] restore_database_on}). */
  public static final List<String> RESTORABLE = List.of(APPLY_MIGRATIONS, DEPLOY_WORKER, SMOKE_TEST);

  /** Default of {@code restore_database_on}: only a failed migration restores the databases. */
  public static final List<String> DEFAULT_RESTORE_DATABASE_ON = List.of(APPLY_MIGRATIONS);

  private Steps() {}
}
