package dev.flaredeploy.workflows;

import static dev.flaredeploy.workflows.DeploymentIds.shortId;
import static dev.flaredeploy.workflows.internal.Failures.attemptsOf;
import static dev.flaredeploy.workflows.internal.Failures.isCancellation;
import static dev.flaredeploy.workflows.internal.Failures.messageOf;

import dev.flaredeploy.workflows.internal.Compensations;
import dev.flaredeploy.workflows.internal.Compensations.Compensation;
import dev.flaredeploy.workflows.internal.DatabaseLocks;
import dev.flaredeploy.workflows.internal.DeploymentMetrics;
import dev.flaredeploy.workflows.internal.StepOptions;
import dev.flaredeploy.workflows.internal.StepRunner;
import dev.flaredeploy.workflows.internal.ReportBuilder;
import dev.flaredeploy.workflows.model.ApprovalDecision;
import dev.flaredeploy.workflows.model.ApprovalOutcome;
import dev.flaredeploy.workflows.model.CheckFinding;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.Checkpoint;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.DeploymentState;
import dev.flaredeploy.workflows.model.LockHolder;
import dev.flaredeploy.workflows.model.MigrationOutcome;
import dev.flaredeploy.workflows.model.NotifyTarget;
import dev.flaredeploy.workflows.model.PlanDigest;
import dev.flaredeploy.workflows.model.ReleaseRecord;
import dev.flaredeploy.workflows.model.Release;
import dev.flaredeploy.workflows.model.RestorePoint;
import dev.flaredeploy.workflows.model.RolloutPlan;
import dev.flaredeploy.workflows.model.SchemaReport;
import dev.flaredeploy.workflows.model.ShiftOutcome;
import dev.flaredeploy.workflows.model.SmokeOutcome;
import dev.flaredeploy.workflows.model.StepState;
import dev.flaredeploy.workflows.model.TrafficShift;
import dev.flaredeploy.workflows.model.UploadedVersion;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * The runbook: each step registers its compensation just before its action; when a step fails or the run
 * is cancelled, compensations run in reverse in a detached cancellation scope, so a cancel still undoes.
 *
 * <p>Which compensations run: rollback-worker always; restore-database when the run was cancelled or the
 * failed step is in the plan's {@code restoreDatabaseOn} (default: only a failed apply-migrations).
 *
 * <p>With a {@code [rollout]} in the plan, a new release and a version live to split traffic with,
 * deploy-worker becomes a gradual rollout (change {@value #GRADUAL_ROLLOUT}): upload-version, the new
 * version checked at 0 % through a version override, then per step shift-traffic and a soak on a durable
 * timer while the checks keep running against the new version. rollback-worker is registered before the
 * first shift, so a failure or a cancel sends all traffic back to the previous version.
 *
 * <p>One migrator per database (change {@value #DATABASE_LOCKS}): before its restore points, a deployment
 * takes the lock of every database it migrates ({@link DatabaseLocks}), waiting while another deployment
 * of any service holds one, so no two deployments apply migrations to a database at once and the restore
 * point already holds what the previous one applied. It gives the locks back once no step of the run can
 * restore them any more: after apply-migrations when only a failed migration restores (the default), else
 * when the run ends. A restore after that takes the lock again and refuses when someone else migrated the
 * database meanwhile ({@code RestoreRefused}): it never wipes another deployment's migrations.
 */
public class DeploymentWorkflowImpl implements DeploymentWorkflow {
  private static final Logger log = Workflow.getLogger(DeploymentWorkflowImpl.class);

  /** {@code Workflow.getVersion} change id: deploy-worker as a gradual rollout when the plan has one. */
  static final String GRADUAL_ROLLOUT = "gradual-rollout";

  /** {@code Workflow.getVersion} change id: the approval gate after the checks, when the plan requires one. */
  static final String APPROVAL_GATE = "approval-gate";

  /** {@code Workflow.getVersion} change id: events sent to the plan's {@code [[notify]]} webhooks. */
  static final String NOTIFICATIONS = "notifications";

  /** {@code Workflow.getVersion} change id: a successful run appends its release to the release journal. */
  static final String RELEASE_JOURNAL = "release-journal";

  /** {@code Workflow.getVersion} change id: the databases a run migrates are locked around their migration. */
  static final String DATABASE_LOCKS = "database-locks";

  /**
   * After a traffic shift, how long before the new version is checked: Cloudflare applies a new deployment
   * (and so a version override) within a few seconds, and until then requests follow the old split.
   */
  static final Duration SETTLE = Duration.ofSeconds(5);

  /** During a soak, how often the smoke checks run against the new version (and once more at its end). */
  static final Duration SOAK_CHECK_INTERVAL = Duration.ofSeconds(30);

  private static ActivityOptions options(Duration startToClose, int maxAttempts) {
    // waits for a cancelled step to stop before compensating: never restore under a running apply
    return StepOptions.of(startToClose, maxAttempts);
  }

  /** Timeouts and retries, declared once per step, with the reason. */
  private static final Map<String, ActivityOptions> STEP_OPTIONS =
      Map.of(
          // copying the source and reading config: quick, a retry helps only with a flaky disk
          Steps.PREPARE, options(Duration.ofMinutes(5), 3),
          // reads only: retry freely
          Steps.VALIDATE_SCHEMA, options(Duration.ofMinutes(5), 5),
          Steps.CHECKPOINT, options(Duration.ofMinutes(15), 5),
          // a bad migration is non-retryable; a crash mid-apply retries and applies only what is left
          Steps.APPLY_MIGRATIONS, options(Duration.ofMinutes(30), 5),
          Steps.DEPLOY_WORKER, options(Duration.ofMinutes(5), 3),
          // bundles and uploads like deploy-worker; a retry reuses the version tagged with the source id
          Steps.UPLOAD_VERSION, options(Duration.ofMinutes(5), 3),
          // one deployment that looks at the live split first: retry freely
          Steps.SHIFT_TRAFFIC, options(Duration.ofMinutes(5), 5),
          // start-to-close is the plan's smoke timeout plus a minute (see versionCheckActivities); a failed
          // check is not retried (SmokeTestFailed), a lost worker is
          Steps.SMOKE_TEST_VERSION, options(Duration.ofMinutes(1), 3),
          // compensations must get through: retried longer, then the run asks a person
          Steps.ROLLBACK_WORKER, options(Duration.ofMinutes(5), 8),
          Steps.RESTORE_DATABASE, options(Duration.ofMinutes(15), 8));

  private ReportBuilder report;

  private DeploymentMetrics metrics;
  private StepRunner steps;

  /** The plan prepare pinned; null until then. */
  private DeploymentPlan plan;

  /** The approval gate; null until the run reaches it (or when its plan needs none). */
  private ApprovalGate gate;

  /** The plan a person approved; null when none was needed (or not yet). */
  private PlanDigest approved;

  /** Sends the run's events to its webhooks; null when the plan has none. */
  private Notifier notifier;

  /** Undo actions registered so far, in registration order. */
  private Compensations compensations;

  /** The locks of the databases this run migrates. */
  private DatabaseLocks locks;

  /** Per binding, its ledger once this run's apply-migrations succeeded there (what a restore compares to). */
  private final Map<String, List<String>> ledgersAfterApply = new HashMap<>();

  /** How many migrations this run applied (the summary's count). */
  private int appliedCount;

  /** The step running now (or last run): the one a failure is blamed on. */
  private String currentStep = Steps.PREPARE;

  /** True once a gradual rollout put the release live (for the summary). */
  private boolean rolledOut;

  /** Steps whose failure also restores the databases; from the plan, the default until prepare ran. */
  private List<String> restoreDatabaseOn = Steps.DEFAULT_RESTORE_DATABASE_ON;

  @Override
  public DeploymentReport deploy(DeploymentRequest request) {
    report = new ReportBuilder(Workflow::currentTimeMillis,
        Workflow.getInfo().getWorkflowId(), Workflow.getInfo().getRunId(), request);
    metrics = new DeploymentMetrics(request.service(), request.environment(), request.target());
    steps = new StepRunner(report, metrics, this::publish);
    locks = new DatabaseLocks(new LockHolder(Workflow.getInfo().getWorkflowId(), Workflow.getInfo().getRunId(),
        request.service(), request.environment(), null), Workflow.getInfo().getTaskQueue(), report, this::publish);
    compensations = new Compensations(report, this::publish, locks::holdFor, metrics);
    try {
      plan = prepare(request);
      SchemaReport checked = validateSchema(plan);
      if (nothingToDo(plan, checked)) {
        return succeedWithNothingToDo(checked);
      }
      if (plan.approvalRequired() && Workflow.getVersion(APPROVAL_GATE, Workflow.DEFAULT_VERSION, 1) >= 1) {
        checked = awaitApproval(plan, checked);
        if (nothingToDo(plan, checked)) {
          return succeedWithNothingToDo(checked);
        }
      }
      boolean releaseNeeded = !plan.source().id().equals(checked.liveRelease());
      boolean waited = lockDatabases(plan, checked);
      Checkpoint checkpoint = checkpoint(plan);
      // another deployment migrated a database since validate-schema looked: its checks run again
      SchemaReport schema = movedOn(checked, checkpoint, waited) ? validateSchema(plan) : checked;
      if (schema != checked) {
        requireApprovedPlan(plan, schema);
      }
      applyMigrations(plan, schema, checkpoint);
      releaseLocksUnlessARestoreMayFollow();
      Release release = deployWorker(plan, checkpoint.liveRelease(), releaseNeeded);
      smokeTest(plan, release);
      releaseLocks();
      if (Workflow.getVersion(RELEASE_JOURNAL, Workflow.DEFAULT_VERSION, 1) >= 1) {
        recordRelease(request, plan, schema, checkpoint, release, ledgersAfterApply);
      }
      return succeed("deployed release " + shortId(release.version()) + " of " + request.service()
          + " (" + request.environment() + ", " + request.target() + "): "
          + (totalPending(schema) == 0 ? "no migrations" : appliedCount + " migration(s) applied")
          + (rolledOut ? ", rolled out gradually (" + percents(plan.rollout()) + ")" : "")
          + ", smoke test passed");
    } catch (TemporalFailure e) { // an activity's failure, a cancel, or a failure raised here
      boolean cancelled = isCancellation(e);
      String failed = currentStep;
      recordError(failed, e, cancelled);
      report.stopRollout(cancelled ? "CANCELLED" : "FAILED", cancelled ? "cancelled" : messageOf(e));
      Workflow.newDetachedCancellationScope(() -> {
        compensations.run(failed, cancelled, restoreDatabaseOn);
        locks.releaseAll();
      }).run();
      return fail(failed, cancelled);
    }
  }

  private DeploymentPlan prepare(DeploymentRequest request) {
    DeploymentPlan plan = step(Steps.PREPARE, "pin the source and read the configuration",
        a -> a.prepare(request), DeploymentPlan::attempt, this::describePlan);
    report.source(plan.source().id(), plan.source().commit(), plan.source().dirty());
    restoreDatabaseOn = plan.restoreDatabaseOn();
    if (!plan.notifyTargets().isEmpty()
        && Workflow.getVersion(NOTIFICATIONS, Workflow.DEFAULT_VERSION, 1) >= 1) {
      notifier = new Notifier(plan.notifyTargets());
    }
    return plan;
  }

  private static boolean nothingToDo(DeploymentPlan plan, SchemaReport schema) {
    return plan.source().id().equals(schema.liveRelease()) && totalPending(schema) == 0;
  }

  private DeploymentReport succeedWithNothingToDo(SchemaReport schema) {
    report.release(schema.liveRelease(), schema.liveRelease(), null);
    return succeed("nothing to do: no pending migrations and release "
        + shortId(schema.liveRelease()) + " is already live");
  }

  /**
   * The approval gate ({@link ApprovalGate}): shows the plan's digest and waits, durably, for a person. After an
   * approval the checks run again; the same digest proceeds (with the checks' fresh report), a changed one waits
   * for a new approval and says what changed. A rejection or the timeout ends the run with nothing changed.
   */
  private SchemaReport awaitApproval(DeploymentPlan plan, SchemaReport schema) {
    gate = new ApprovalGate(plan.approval());
    PlanDigest digest = PlanDigest.of(plan, schema);
    String why = "the " + plan.environment() + " environment requires an approval ([approval] in flaredeploy.toml)";
    String id = Workflow.getInfo().getWorkflowId();
    while (true) {
      currentStep = Steps.WAIT_FOR_APPROVAL;
      long started = Workflow.currentTimeMillis();
      int index = report.startStep(Steps.WAIT_FOR_APPROVAL, "plan " + digest.value() + ": " + why);
      metrics.approvalWaitStarted();
      PlanDigest shown = digest;
      String asked = why;
      ApprovalGate.Decision decision;
      try {
        decision = gate.await(digest, why, () -> {
          report.waiting(true, "waiting for approval of plan " + shown.value() + ": " + asked
              + "; `flaredeploy approve " + id + " --digest " + shown.value() + "`");
          report.approval(gate.report());
          publish();
          Workflow.upsertTypedSearchAttributes(
              DeploymentAttributes.STATE.valueSet(DeploymentState.WAITING_FOR_APPROVAL.name()));
          notify(NotifyTarget.WAITING_FOR_APPROVAL, shown.value(),
              "flaredeploy approve " + id + " --digest " + shown.value() + "  (or: flaredeploy reject " + id
                  + " --reason TEXT)", shown.value());
        });
      } catch (CanceledFailure e) {
        report.finishStep(index, StepState.CANCELLED, 1, "cancelled while it waited for approval");
        metrics.approvalDecided("cancelled");
        metrics.step(Steps.WAIT_FOR_APPROVAL, StepState.CANCELLED, Workflow.currentTimeMillis() - started);
        throw e;
      }
      report.approval(gate.report());
      ApprovalDecision decided = decision.decision();
      switch (decision.result()) {
        case EXPIRED -> {
          String detail = "nobody approved or rejected plan " + digest.value() + " within "
              + duration(plan.approval().timeoutMillis()) + "; nothing was changed";
          report.finishStep(index, StepState.EXPIRED, 1, detail);
          metrics.approvalDecided("expired");
          metrics.step(Steps.WAIT_FOR_APPROVAL, StepState.EXPIRED, Workflow.currentTimeMillis() - started);
          throw ApplicationFailure.newNonRetryableFailure(detail, FailureTypes.APPROVAL_EXPIRED);
        }
        case REJECTED -> {
          String detail = "rejected by " + decided.by() + ": " + decided.reason() + "; nothing was changed";
          report.finishStep(index, StepState.REJECTED, 1, detail);
          metrics.approvalDecided("rejected");
          metrics.step(Steps.WAIT_FOR_APPROVAL, StepState.REJECTED, Workflow.currentTimeMillis() - started);
          throw ApplicationFailure.newNonRetryableFailure(detail, FailureTypes.APPROVAL_REJECTED);
        }
        default -> {
          report.finishStep(index, StepState.SUCCEEDED, 1, "plan " + digest.value() + " approved by " + decided.by()
              + (decided.reason() == null || decided.reason().isBlank() ? "" : ": " + decided.reason()));
          metrics.approvalDecided("approved");
          metrics.step(Steps.WAIT_FOR_APPROVAL, StepState.SUCCEEDED, Workflow.currentTimeMillis() - started);
          report.waiting(false, "plan " + digest.value() + " approved by " + decided.by()
              + "; running the checks again before anything changes");
          publish();
          Workflow.upsertTypedSearchAttributes(DeploymentAttributes.STATE.valueSet(DeploymentState.RUNNING.name()));
        }
      }
      SchemaReport again;
      try {
        again = validateSchema(plan);
      } catch (TemporalFailure e) {
        gate.settle(new ApprovalOutcome(ApprovalOutcome.ENDED, digest.value(),
            "the checks ran again and stopped the deployment: " + messageOf(e)));
        throw e;
      }
      PlanDigest now = PlanDigest.of(plan, again);
      if (now.value().equals(digest.value())) {
        gate.settle(new ApprovalOutcome(ApprovalOutcome.PROCEEDING, digest.value(),
            "the checks ran again and found the same plan; the deployment proceeds"));
        approved = digest;
        return again;
      }
      why = "the plan changed while it waited for approval: " + String.join("; ", now.changesFrom(digest));
      gate.settle(new ApprovalOutcome(ApprovalOutcome.ASKING_AGAIN, now.value(), why + "; it waits for an approval of "
          + "plan " + now.value() + " now"));
      digest = now;
    }
  }

  /**
   * After an approval, a run that waited for a shared database's lock goes on only with what the approval covered:
   * the approved plan less the migrations the other deployment applied meanwhile ({@link PlanDigest#within}).
   * Anything else (drift, a migration with other content) ends it before anything changed; a person approves the
   * new plan in a new deployment. Waiting for a new approval here would hold the database's lock for days.
   */
  private void requireApprovedPlan(DeploymentPlan plan, SchemaReport schema) {
    if (approved == null) {
      return;
    }
    PlanDigest now = PlanDigest.of(plan, schema);
    if (now.within(approved)) {
      return;
    }
    throw ApplicationFailure.newNonRetryableFailure("the plan changed while it waited for its database lock, after "
        + "plan " + approved.value() + " was approved: " + String.join("; ", now.changesFrom(approved))
        + "; nothing was changed. Deploy again to see the new plan (" + now.value() + ") and approve it",
        FailureTypes.APPROVED_PLAN_CHANGED);
  }

  /**
   * Appends the release to the environment's release journal (what {@code releases} lists and {@code rollback}
   * reads). Not a step of the report: a journal that cannot be written is a warning, never a failure.
   */
  private void recordRelease(DeploymentRequest request, DeploymentPlan plan, SchemaReport schema,
      Checkpoint checkpoint, Release release, Map<String, List<String>> ledgers) {
    List<ReleaseRecord.DatabaseChange> databases = new ArrayList<>();
    for (DatabaseStatus d : schema.databases()) {
      List<String> ledger = ledgers.getOrDefault(d.binding(), d.applied());
      List<String> applied = ledger.stream().filter(m -> !d.applied().contains(m)).toList();
      RestorePoint restorePoint = checkpoint.restorePoints().stream()
          .filter(rp -> rp.binding().equals(d.binding())).findFirst().orElse(null);
      databases.add(new ReleaseRecord.DatabaseChange(d.binding(), applied, ledger, restorePoint));
    }
    ReleaseRecord record = new ReleaseRecord(ReleaseRecord.DEPLOYMENT, plan.source().id(), null, release.url(),
        report.now(), plan.source().commit(), plan.source().dirty(), request.requestedBy(),
        Workflow.getInfo().getWorkflowId(), Workflow.getInfo().getRunId(), checkpoint.liveRelease(), databases, plan);
    ReleaseActivities journal = Workflow.newActivityStub(ReleaseActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(1))
        .setRetryOptions(StepOptions.retries(5))
        .setSummary("record release " + shortId(plan.source().id()) + " in the release journal")
        .build());
    try {
      journal.recordRelease(record);
    } catch (ActivityFailure e) {
      report.warning("release " + shortId(plan.source().id()) + " was not recorded in the release journal ("
          + messageOf(e) + "): `flaredeploy releases` will not list it and `flaredeploy rollback` cannot go back to it");
    }
  }

  /** Starts sending {@code event} to the webhooks that want it, when the plan has any. */
  private void notify(String event, String digest, String hint, String keySuffix) {
    if (notifier == null) {
      return;
    }
    notifier.send(event, report.build().service(), report.build().environment(), report.build().target(),
        report.state().name(), report.build().summary(), digest, hint, keySuffix);
  }

  /**
   * Runs the pre-deploy checks; the report keeps what they warned about, and when they block, what the
   * failure carries (its second detail is the checks' report).
   */
  private SchemaReport validateSchema(DeploymentPlan plan) {
    SchemaReport schema;
    try {
      schema = step(Steps.VALIDATE_SCHEMA, "read applied and pending migrations",
          a -> a.validateSchema(plan), SchemaReport::attempt, this::describeSchema);
    } catch (ActivityFailure e) {
      report.checks(checksOf(e));
      throw e;
    }
    report.checks(schema.results());
    schema.databases().forEach(d -> report.database(d.binding(), d.pending()));
    return schema;
  }

  /** The check results a blocked validate-schema sent with its failure; null from failures without them. */
  private static List<CheckResult> checksOf(ActivityFailure e) {
    if (e.getCause() instanceof ApplicationFailure af) {
      try {
        SchemaReport blocked = af.getDetails().get(1, SchemaReport.class);
        return blocked == null ? null : blocked.results();
      } catch (RuntimeException notThere) {
        return null;
      }
    }
    return null;
  }

  /**
   * Takes the locks of the databases with pending migrations (in the one order every deployment uses),
   * waiting while other deployments migrate them. Runs recorded before locks existed take none. Returns
   * true when another deployment held one of them.
   */
  private boolean lockDatabases(DeploymentPlan plan, SchemaReport schema) {
    List<DatabasePlan> migrating =
        plan.databases().stream().filter(d -> !pendingOf(schema, d.binding()).isEmpty()).toList();
    if (migrating.isEmpty() || Workflow.getVersion(DATABASE_LOCKS, Workflow.DEFAULT_VERSION, 1) < 1) {
      return false;
    }
    currentStep = Steps.LOCK_DATABASE;
    return locks.acquire(DatabaseLocks.of(plan, migrating));
  }

  /**
   * True when, under its locks, a database's ledger is no longer what validate-schema read: another
   * deployment migrated it meanwhile (the checks and the pending migrations are then out of date). A
   * restore point that does not know its ledger counts as moved on when the locks were waited for.
   */
  private boolean movedOn(SchemaReport checked, Checkpoint checkpoint, boolean waited) {
    if (!locks.enabled()) {
      return false;
    }
    for (RestorePoint point : checkpoint.restorePoints()) {
      List<String> applied = checked.databases().stream().filter(d -> d.binding().equals(point.binding()))
          .findFirst().map(DatabaseStatus::applied).orElse(null);
      if (point.ledger() == null ? waited : applied == null || !point.ledger().equals(applied)) {
        return true;
      }
    }
    return false;
  }

  /**
   * After the migrations: gives the locks back unless a later step's failure restores the databases
   * ({@code restore_database_on} beyond apply-migrations), which needs them unchanged by others until the
   * run ends. (A cancel restores too: that restore takes the lock again and compares first.)
   */
  private void releaseLocksUnlessARestoreMayFollow() {
    if (restoreDatabaseOn.stream().allMatch(Steps.APPLY_MIGRATIONS::equals)) {
      releaseLocks();
    }
  }

  /** Gives every lock back; a cancel arriving meanwhile does not stop it. */
  private void releaseLocks() {
    Workflow.newDetachedCancellationScope(locks::releaseAll).run();
  }

  private Checkpoint checkpoint(DeploymentPlan plan) {
    Checkpoint checkpoint = step(Steps.CHECKPOINT, "take a restore point per database",
        a -> a.checkpoint(plan), Checkpoint::attempt,
        c -> c.restorePoints().size() + " restore point(s); live release: "
            + (c.liveRelease() == null ? "none" : shortId(c.liveRelease())));
    checkpoint.restorePoints().forEach(rp -> report.checkpoint(rp.binding(), rp.location(), rp.export()));
    return checkpoint;
  }

  /**
   * Per database with pending migrations: register its restore, then apply (its ledger afterwards goes to
   * {@link #ledgersAfterApply}).
   */
  private void applyMigrations(DeploymentPlan plan, SchemaReport schema, Checkpoint checkpoint) {
    currentStep = Steps.APPLY_MIGRATIONS;
    for (DatabasePlan database : plan.databases()) {
      List<String> pending = pendingOf(schema, database.binding());
      if (pending.isEmpty()) {
        continue;
      }
      RestorePoint restorePoint = restorePointOf(checkpoint, database.binding());
      compensations.add(new Compensation(Steps.RESTORE_DATABASE, database.binding(),
          "restore database " + database.binding() + " from its restore point "
              + restorePoint.location() + " (it may hold part of this deployment's migrations)",
          () -> activities(Steps.RESTORE_DATABASE, "restore " + database.binding() + " to its restore point")
              .restoreDatabase(plan, locks.enabled()
                  ? restorePoint.afterApply(ledgersAfterApply.get(database.binding())) : restorePoint)));
      MigrationOutcome outcome = step(Steps.APPLY_MIGRATIONS, "apply migrations to " + database.binding(),
          a -> a.applyMigrations(plan, database), MigrationOutcome::attempt,
          m -> describeApplied(database.binding(), pending, appliedBy(restorePoint, pending, m)));
      ledgersAfterApply.put(database.binding(), outcome.ledger());
      List<String> applied = appliedBy(restorePoint, pending, outcome);
      appliedCount += applied.size();
      report.applied(database.binding(), applied);
      metrics.migrationsApplied(database.binding(), applied.size());
    }
    if (totalPending(schema) == 0) {
      report.skippedStep(Steps.APPLY_MIGRATIONS, "no pending migrations"
          + (ledgersAfterApply.isEmpty() && locks.enabled() ? " (another deployment applied them meanwhile)" : ""));
    }
  }

  /**
   * What this run applied to one database: its ledger now less the ledger at its restore point, or (restore
   * points recorded before they kept the ledger) the pending migrations the ledger now lists.
   */
  private static List<String> appliedBy(RestorePoint restorePoint, List<String> pending, MigrationOutcome outcome) {
    if (restorePoint.ledger() == null) {
      return pending.stream().filter(outcome.ledger()::contains).toList();
    }
    return outcome.ledger().stream().filter(name -> !restorePoint.ledger().contains(name)).toList();
  }

  private static String describeApplied(String binding, List<String> pending, List<String> applied) {
    List<String> meanwhile = pending.stream().filter(name -> !applied.contains(name)).toList();
    return binding + ": applied " + String.join(", ", applied)
        + (meanwhile.isEmpty() ? "" : (applied.isEmpty() ? "nothing; " : "; ") + String.join(", ", meanwhile)
            + " already in its ledger (applied meanwhile by another deployment of this database)");
  }

  /** Register the rollback to what was live (when a new release goes live), then release. */
  private Release deployWorker(DeploymentPlan plan, String previous, boolean releaseNeeded) {
    currentStep = Steps.DEPLOY_WORKER;
    if (releaseNeeded && plan.rollout() != null) {
      if (previous != null && Workflow.getVersion(GRADUAL_ROLLOUT, Workflow.DEFAULT_VERSION, 1) >= 1) {
        return rollOut(plan, previous);
      }
      if (previous == null) {
        report.rollout(null, null, "all at once: this is the Worker's first release, so no version is live"
            + " to split traffic with");
      }
    }
    if (releaseNeeded) {
      compensations.add(new Compensation(Steps.ROLLBACK_WORKER, null,
          previous == null
              ? "stop the release this deployment started (nothing was live before it)"
              : "put release " + previous + " live again (the new release may still serve)",
          () -> activities(Steps.ROLLBACK_WORKER,
                  previous == null ? "stop the new release" : "put " + shortId(previous) + " live again")
              .rollbackWorker(plan, previous)));
    }
    Release release = step(Steps.DEPLOY_WORKER, "put release " + shortId(plan.source().id()) + " live",
        a -> a.deployWorker(plan), Release::attempt,
        r -> "release " + shortId(r.version()) + " live at " + r.url());
    report.release(release.version(), previous, release.url());
    return release;
  }

  /**
   * The gradual rollout: upload the new version, check it at 0 % through a version override, then per step
   * shift the traffic and soak. Compensated by rollback-worker (registered before the first shift).
   */
  private Release rollOut(DeploymentPlan plan, String previous) {
    RolloutPlan rollout = plan.rollout();
    String note = "gradual: " + percents(rollout) + ", " + duration(rollout.soakMillis()) + " each";
    report.rollout(null, previous, note);
    int before = report.rolloutStep(0, 0, "PENDING", "checked through a version override before it takes traffic");
    List<Integer> stepIndexes = new ArrayList<>();
    for (int percent : rollout.steps()) {
      stepIndexes.add(report.rolloutStep(percent, rollout.soakMillis(), "PENDING", "not reached yet"));
    }
    UploadedVersion version = step(Steps.UPLOAD_VERSION,
        "upload release " + shortId(plan.source().id()) + " without traffic",
        a -> a.uploadVersion(plan), UploadedVersion::attempt,
        v -> "version " + v.versionId() + " of " + v.workerName() + " uploaded");
    report.rollout(version.versionId(), previous, note);
    report.release(plan.source().id(), previous, version.url());
    compensations.add(new Compensation(Steps.ROLLBACK_WORKER, null,
        "put version " + previous + " back at 100 % (`wrangler rollback " + previous + "`; the new version "
            + version.versionId() + " may still have part of the traffic)",
        () -> activities(Steps.ROLLBACK_WORKER, "put " + shortId(previous) + " back at 100 %")
            .rollbackWorker(plan, previous)));

    shift(version, previous, 0, plan);
    report.finishRolloutStep(before, "RUNNING", "checking the new version at 0 %");
    currentStep = Steps.SMOKE_TEST_VERSION;
    Workflow.sleep(SETTLE);
    SmokeOutcome checked = step(Steps.SMOKE_TEST_VERSION, "check version " + shortId(version.versionId())
            + " before it takes traffic",
        a -> versionCheckActivities(plan, version).smokeTestVersion(plan, version), SmokeOutcome::attempt,
        SmokeOutcome::detail);
    report.finishRolloutStep(before, "PASSED", checked.detail());
    publish();

    for (int i = 0; i < rollout.steps().size(); i++) {
      int percent = rollout.steps().get(i);
      shift(version, previous, percent, plan);
      soak(plan, version, percent, stepIndexes.get(i));
    }
    rolledOut = true;
    return new Release(plan.source().id(), version.url(), version.attempt());
  }

  private void shift(UploadedVersion version, String previous, int percent, DeploymentPlan plan) {
    TrafficShift shift = new TrafficShift(version.versionId(), percent == 100 ? null : previous, percent);
    step(Steps.SHIFT_TRAFFIC, percent + " % to " + shortId(version.versionId())
            + (percent == 100 ? "" : ", " + (100 - percent) + " % to " + shortId(previous)),
        a -> a.shiftTraffic(plan, shift), ShiftOutcome::attempt, ShiftOutcome::detail);
  }

  /**
   * One rollout step's soak: a durable timer of the plan's soak, with the smoke checks run against the new
   * version after the split settled, every {@link #SOAK_CHECK_INTERVAL}, and once more when the timer fires.
   * The first failing check ends the rollout (its failure propagates).
   */
  private void soak(DeploymentPlan plan, UploadedVersion version, int percent, int rolloutIndex) {
    long soakMillis = plan.rollout().soakMillis();
    currentStep = Steps.SOAK;
    int index = report.startStep(Steps.SOAK, percent + " % for " + duration(soakMillis) + " while the checks run");
    report.finishRolloutStep(rolloutIndex, "RUNNING", "soaking; checks run every "
        + duration(SOAK_CHECK_INTERVAL.toMillis()));
    publish();
    int rounds = 0;
    String last = "";
    try {
      Promise<Void> soakEnd = Workflow.newTimer(Duration.ofMillis(soakMillis));
      Workflow.await(SETTLE.compareTo(Duration.ofMillis(soakMillis)) < 0 ? SETTLE : Duration.ofMillis(soakMillis),
          soakEnd::isCompleted);
      while (true) {
        last = versionCheckActivities(plan, version).smokeTestVersion(plan, version).detail();
        rounds++;
        if (soakEnd.isCompleted()) {
          break;
        }
        Workflow.await(SOAK_CHECK_INTERVAL, soakEnd::isCompleted);
      }
    } catch (ActivityFailure | CanceledFailure e) {
      boolean cancelled = isCancellation(e);
      String why = cancelled ? "cancelled during the soak" : "check " + (rounds + 1) + " failed: " + messageOf(e);
      report.finishStep(index, cancelled ? StepState.CANCELLED : StepState.FAILED, attemptsOf(e), why);
      report.finishRolloutStep(rolloutIndex, cancelled ? "CANCELLED" : "FAILED", why);
      publish();
      throw e;
    }
    String detail = rounds + " check round(s) passed over " + duration(soakMillis) + "; last: " + last;
    report.finishStep(index, StepState.SUCCEEDED, 1, detail);
    report.finishRolloutStep(rolloutIndex, "PASSED", detail);
    publish();
  }

  private void smokeTest(DeploymentPlan plan, Release release) {
    step(Steps.SMOKE_TEST, "check " + release.url(),
        a -> smokeActivities(plan).smokeTest(plan, release), SmokeOutcome::attempt, SmokeOutcome::detail);
  }

  @Override
  public DeploymentReport progress() {
    return report == null ? null : report.build();
  }

  @Override
  public ApprovalOutcome approve(ApprovalDecision decision) {
    return gate.approve(decision);
  }

  @Override
  public void validateApprove(ApprovalDecision decision) {
    requireGate("approve").validateApprove(decision);
  }

  @Override
  public ApprovalOutcome reject(ApprovalDecision decision) {
    return gate.reject(decision);
  }

  @Override
  public void validateReject(ApprovalDecision decision) {
    requireGate("reject").validateReject(decision);
  }

  private ApprovalGate requireGate(String what) {
    if (gate == null) {
      String id = Workflow.getInfo().getWorkflowId();
      throw ApprovalGate.refusal(FailureTypes.NOT_WAITING_FOR_APPROVAL, id + " is not waiting for an approval: "
          + (plan != null && !plan.approvalRequired() ? "its environment requires none"
              : "it has not reached its approval yet")
          + "; nothing to " + what + " (see `flaredeploy status " + id + "`)");
    }
    return gate;
  }

  /** Runs one step through the activities, keeping the report (and the memo) current before and after. */
  private <T> T step(
      String name,
      String summary,
      Function<DeploymentActivities, T> action,
      java.util.function.ToIntFunction<T> attempts,
      Function<T, String> detail) {
    currentStep = name;
    return steps.run(name, summary, () -> action.apply(activities(name, summary)), attempts, detail);
  }


  private DeploymentReport succeed(String summary) {
    report.finish(DeploymentState.SUCCEEDED, summary);
    publishFinal();
    return report.build();
  }

  private DeploymentReport fail(String failedStep, boolean cancelled) {
    DeploymentState state;
    String summary;
    String errorType = report.build().error() == null ? null : report.build().error().type();
    if (!cancelled && FailureTypes.APPROVAL_REJECTED.equals(errorType)) {
      state = DeploymentState.REJECTED;
      summary = report.build().error().message();
    } else if (!cancelled && FailureTypes.APPROVAL_EXPIRED.equals(errorType)) {
      state = DeploymentState.APPROVAL_EXPIRED;
      summary = report.build().error().message();
    } else if (report.hasActionsRequired()) {
      state = DeploymentState.NEEDS_ATTENTION;
      summary = failedStep + " failed and a compensation did not complete: a person must act";
    } else if (cancelled) {
      state = DeploymentState.CANCELLED;
      summary = "cancelled during " + failedStep + "; what it had changed was undone";
    } else if (compensations.isEmpty()) {
      state = DeploymentState.FAILED;
      summary = failedStep + " failed before anything changed";
    } else {
      state = DeploymentState.ROLLED_BACK;
      summary = failedStep + " failed; " + undoneSummary();
    }
    report.finish(state, summary);
    publishFinal();
    if (state == DeploymentState.CANCELLED) {
      throw new CanceledFailure(summary);
    }
    throw ApplicationFailure.newNonRetryableFailure(
        state.name() + ": " + summary, FailureTypes.DEPLOYMENT_FAILED, state.name());
  }

  private String undoneSummary() {
    boolean restored = report.anyStep(Steps.RESTORE_DATABASE, StepState.SUCCEEDED);
    boolean rolledBack = report.anyStep(Steps.ROLLBACK_WORKER, StepState.SUCCEEDED);
    List<String> parts = new ArrayList<>();
    if (rolledBack) {
      parts.add("the previous release is live again");
    } else {
      parts.add("the live release was not touched");
    }
    parts.add(restored ? "the database was restored to its restore point" : "the database keeps its migrations");
    return String.join("; ", parts);
  }

  private void recordError(String step, TemporalFailure e, boolean cancelled) {
    if (cancelled) {
      report.error(step, "Cancelled", "the deployment was cancelled");
      return;
    }
    Throwable cause = e.getCause() == null ? e : e.getCause();
    String type =
        cause instanceof ApplicationFailure af ? af.getType()
            : cause instanceof TimeoutFailure ? "Timeout"
            : cause.getClass().getSimpleName();
    report.error(step, type, messageOf(e));
    log.warn("step {} failed: {}", step, messageOf(e));
  }

  private String describePlan(DeploymentPlan plan) {
    return "source " + shortId(plan.source().id())
        + (plan.source().commit() == null ? "" : " at " + shortId(plan.source().commit()))
        + (plan.source().dirty() ? " (uncommitted changes)" : "")
        + ", " + plan.databases().size() + " database(s)";
  }

  private String describeSchema(SchemaReport schema) {
    List<String> parts = new ArrayList<>();
    for (DatabaseStatus d : schema.databases()) {
      parts.add(d.binding() + ": " + d.applied().size() + " applied, " + d.pending().size() + " pending");
    }
    parts.add("live release: " + (schema.liveRelease() == null ? "none" : shortId(schema.liveRelease())));
    if (schema.results() != null) {
      for (CheckResult result : schema.results()) {
        if (CheckResult.SKIPPED.equals(result.outcome())) {
          continue;
        }
        List<String> notes = result.findings().stream()
            .map(f -> CheckFinding.INFO.equals(f.severity())
                ? (f.subject() == null ? "" : f.subject() + " ") + (f.code() == null ? f.message() : f.code())
                : f.message())
            .toList();
        parts.add(result.check() + " " + result.outcome() + (notes.isEmpty() ? "" : ": " + String.join(", ", notes)));
      }
      return String.join("; ", parts);
    }
    // a report recorded before the checks reported generically
    if (schema.checks() != null) {
      schema.checks().forEach(c -> parts.add(c.migration() + " " + c.classification()));
    }
    if (schema.policies() != null) {
      schema.policies().forEach(p -> parts.add("policy " + p.rule() + " " + p.outcome()
          + (p.overrideReason() == null ? "" : " (reason: " + p.overrideReason() + ")")));
    }
    if (schema.drift() != null && !schema.drift().isEmpty()) {
      parts.add("drift: " + String.join("; ", schema.drift()));
    }
    if (schema.warnings() != null && !schema.warnings().isEmpty()) {
      parts.add(schema.warnings().size() + " warning(s): " + String.join("; ", schema.warnings()));
    }
    return String.join("; ", parts);
  }

  private DeploymentActivities activities(String step, String summary) {
    return Workflow.newActivityStub(
        DeploymentActivities.class,
        ActivityOptions.newBuilder(STEP_OPTIONS.get(step)).setSummary(summary).build());
  }

  /** The smoke test may take as long as the configured smoke timeout, plus room for one request. */
  private DeploymentActivities smokeActivities(DeploymentPlan plan) {
    return Workflow.newActivityStub(
        DeploymentActivities.class,
        ActivityOptions.newBuilder(options(
                Duration.ofMillis(plan.smoke().timeoutMillis()).plus(Duration.ofMinutes(1)), 3))
            .setSummary("smoke-test " + plan.smoke().checks().size() + " check(s)")
            .build());
  }

  /** The checks against one version: the smoke plan's timeout plus room for one request, per attempt. */
  private DeploymentActivities versionCheckActivities(DeploymentPlan plan, UploadedVersion version) {
    return Workflow.newActivityStub(
        DeploymentActivities.class,
        ActivityOptions.newBuilder(STEP_OPTIONS.get(Steps.SMOKE_TEST_VERSION))
            .setStartToCloseTimeout(Duration.ofMillis(plan.smoke().timeoutMillis()).plus(Duration.ofMinutes(1)))
            .setSummary("smoke-test version " + shortId(version.versionId()))
            .build());
  }

  private void publish() {
    Workflow.upsertMemo(Map.of(DeploymentAttributes.REPORT_MEMO, report.build()));
  }

  /**
   * The outcome, published (memo and search attribute) before anything else happens; then the webhooks hear
   * of it, in a scope a cancel cannot stop, and what was not delivered is added as a warning.
   */
  private void publishFinal() {
    publish();
    Workflow.upsertTypedSearchAttributes(
        DeploymentAttributes.STATE.valueSet(report.state().name()));
    metrics.ended(report.state().name());
    if (notifier != null) {
      Workflow.newDetachedCancellationScope(() -> {
        notify(Notifier.eventOf(report.state()), null, hintOf(report.state()), null);
        List<String> warnings = notifier.drain();
        if (!warnings.isEmpty()) {
          warnings.forEach(report::warning);
          publish();
        }
      }).run();
    }
  }

  private String hintOf(DeploymentState state) {
    String id = Workflow.getInfo().getWorkflowId();
    return switch (state) {
      case NEEDS_ATTENTION -> String.join("; ", report.build().actionsRequired());
      case SUCCEEDED -> null;
      default -> "flaredeploy status " + id;
    };
  }

  private static int totalPending(SchemaReport schema) {
    return schema.databases().stream().mapToInt(d -> d.pending().size()).sum();
  }

  private static List<String> pendingOf(SchemaReport schema, String binding) {
    return schema.databases().stream()
        .filter(d -> d.binding().equals(binding))
        .findFirst()
        .map(DatabaseStatus::pending)
        .orElse(List.of());
  }

  private static RestorePoint restorePointOf(Checkpoint checkpoint, String binding) {
    return checkpoint.restorePoints().stream()
        .filter(rp -> rp.binding().equals(binding))
        .findFirst()
        .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
            "checkpoint took no restore point for " + binding, FailureTypes.DEPLOYMENT_FAILED));
  }

  private static String percents(RolloutPlan rollout) {
    return String.join(" → ", rollout.steps().stream().map(p -> p + " %").toList());
  }

  /** {@code 5m}, {@code 30s}, {@code 1500ms}: as written in flaredeploy.toml. */
  static String duration(long millis) {
    if (millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    if (millis % 1_000 == 0) {
      return millis / 1_000 + "s";
    }
    return millis + "ms";
  }
}
