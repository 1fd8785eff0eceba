package dev.flaredeploy.workflows;

import static dev.flaredeploy.workflows.DeploymentIds.shortId;
import static dev.flaredeploy.workflows.internal.Failures.isCancellation;
import static dev.flaredeploy.workflows.internal.Failures.messageOf;

import dev.flaredeploy.workflows.internal.DatabaseLocks;
import dev.flaredeploy.workflows.internal.DeploymentMetrics;
import dev.flaredeploy.workflows.internal.ReportBuilder;
import dev.flaredeploy.workflows.internal.StepOptions;
import dev.flaredeploy.workflows.internal.StepRunner;
import dev.flaredeploy.workflows.model.CompensationOutcome;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.DeploymentState;
import dev.flaredeploy.workflows.model.LockHolder;
import dev.flaredeploy.workflows.model.Release;
import dev.flaredeploy.workflows.model.ReleaseRecord;
import dev.flaredeploy.workflows.model.RestorePoint;
import dev.flaredeploy.workflows.model.RollbackPlan;
import dev.flaredeploy.workflows.model.RollbackRequest;
import dev.flaredeploy.workflows.model.SmokeOutcome;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The rollback runbook: plan it from the journal (refusals change nothing), restore the databases when asked,
 * put the release live, smoke-test it, record it in the journal. A step that fails after something changed
 * ends the run NEEDS_ATTENTION with what a person must do: a rollback is itself the undo, so there is nothing
 * to compensate with.
 */
public class RollbackWorkflowImpl implements RollbackWorkflow {
  /**
   * As a deployment runs its steps: a cancelled restore is waited for until it stopped, before the database's
   * lock is given back.
   */
  private static ActivityOptions options(Duration startToClose, int attempts) {
    return StepOptions.of(startToClose, attempts);
  }

  private ReportBuilder report;
  private DeploymentMetrics metrics;
  private StepRunner steps;
  private Notifier notifier;
  private boolean changedSomething;
  private String currentStep = Steps.PLAN_ROLLBACK;

  @Override
  public DeploymentReport rollback(RollbackRequest request) {
    report = new ReportBuilder(Workflow::currentTimeMillis, Workflow.getInfo().getWorkflowId(),
        Workflow.getInfo().getRunId(), new DeploymentRequest(null, request.environment(), request.target(),
            request.service(), null, request.requestedBy(), false, List.of()));
    metrics = new DeploymentMetrics(request.service(), request.environment(), request.target());
    steps = new StepRunner(report, metrics, this::publish);
    try {
      RollbackPlan plan = step(Steps.PLAN_ROLLBACK, "work out the rollback from the release journal",
          () -> release(Duration.ofMinutes(5), 5, "plan the rollback").planRollback(request),
          RollbackPlan::attempt, p -> "put " + shortId(p.release().release()) + " live (live now: "
              + shortId(p.live()) + ")" + (p.restores().isEmpty() ? "" : "; restore "
              + String.join(", ", p.restores().stream().map(RestorePoint::binding).toList())));
      ReleaseRecord to = plan.release();
      report.source(to.release(), to.commit(), to.dirty());
      DeploymentPlan latest = plan.undone() != null ? plan.undone().plan() : to.plan();
      if (!latest.notifyTargets().isEmpty()) {
        notifier = new Notifier(latest.notifyTargets());
      }
      if (!plan.restores().isEmpty()) {
        restoreUnderTheirLocks(plan);
      }
      changedSomething = true;
      step(Steps.ROLLBACK_WORKER, "put release " + shortId(to.release()) + " live",
          () -> deployment(Steps.ROLLBACK_WORKER, Duration.ofMinutes(5), "put " + shortId(to.version()) + " live")
              .rollbackWorker(to.plan(), to.version()), CompensationOutcome::attempt, CompensationOutcome::detail);
      report.release(to.version(), plan.live(), to.url());
      Release release = new Release(to.version(), to.url(), 1);
      step(Steps.SMOKE_TEST, "check " + to.url(), () -> deployment(Steps.SMOKE_TEST,
              Duration.ofMillis(to.plan().smoke().timeoutMillis()).plus(Duration.ofMinutes(1)), "smoke-test")
          .smokeTest(to.plan(), release), SmokeOutcome::attempt, SmokeOutcome::detail);
      record(request, plan);
      metrics.rolledBack("manual");
      return succeed(summary(plan));
    } catch (TemporalFailure e) {
      return fail(e);
    }
  }

  /**
   * Restores the databases the undone deployment changed, holding each one's database lock (as a deployment's
   * migrations do): no deployment of another service sharing a database migrates it between the check that it
   * did not move on (done again by the restore activity, under the lock) and the restore.
   */
  private void restoreUnderTheirLocks(RollbackPlan plan) {
    DeploymentPlan undone = plan.undone().plan();
    List<String> bindings = plan.restores().stream().map(RestorePoint::binding).toList();
    DatabaseLocks locks = new DatabaseLocks(new LockHolder(Workflow.getInfo().getWorkflowId(),
        Workflow.getInfo().getRunId(), report.build().service(), report.build().environment(), null),
        Workflow.getInfo().getTaskQueue(), report, this::publish);
    try {
      currentStep = Steps.LOCK_DATABASE;
      locks.acquire(DatabaseLocks.of(undone,
          undone.databases().stream().filter(d -> bindings.contains(d.binding())).toList()));
      for (RestorePoint point : plan.restores()) {
        changedSomething = true;
        report.database(point.binding(), List.of());
        report.checkpoint(point.binding(), point.location(), point.export());
        step(Steps.RESTORE_DATABASE, "restore " + point.binding() + " to " + point.location(),
            () -> deployment(Steps.RESTORE_DATABASE, Duration.ofMinutes(15), "restore " + point.binding())
                .restoreDatabase(undone, point), CompensationOutcome::attempt, CompensationOutcome::detail);
      }
    } finally {
      Workflow.newDetachedCancellationScope(locks::releaseAll).run();
    }
  }

  private String summary(RollbackPlan plan) {
    ReleaseRecord to = plan.release();
    StringBuilder text = new StringBuilder("rolled back to release " + shortId(to.release())
        + (to.commit() == null ? "" : " (commit " + shortId(to.commit()) + ")") + ", smoke test passed");
    if (!plan.restores().isEmpty()) {
      text.append("; restored ").append(String.join(", ", plan.restores().stream()
          .map(p -> p.binding() + " from " + p.location()).toList()));
    } else if (!plan.unknownMigrations().isEmpty()) {
      text.append("; the databases were left as they are and hold migrations release ").append(shortId(to.release()))
          .append(" never knew about: ").append(String.join("; ", plan.unknownMigrations()));
    } else {
      text.append("; the databases were left as they are");
    }
    plan.notes().forEach(n -> text.append("; ").append(n));
    return text.toString();
  }

  private void record(RollbackRequest request, RollbackPlan plan) {
    ReleaseRecord to = plan.release();
    List<ReleaseRecord.DatabaseChange> restored = new ArrayList<>();
    plan.restores().forEach(p -> restored.add(new ReleaseRecord.DatabaseChange(p.binding(), List.of(), List.of(), p)));
    ReleaseRecord record = new ReleaseRecord(ReleaseRecord.ROLLBACK, to.release(), to.version(), to.url(),
        report.now(), to.commit(), to.dirty(), request.requestedBy(), Workflow.getInfo().getWorkflowId(),
        Workflow.getInfo().getRunId(), plan.live(), restored, to.plan());
    try {
      release(Duration.ofMinutes(1), 5, "record the rollback in the release journal").recordRelease(record);
    } catch (ActivityFailure e) {
      report.warning("the rollback was not recorded in the release journal: " + e.getMessage());
    }
  }

  @Override
  public DeploymentReport progress() {
    return report == null ? null : report.build();
  }

  private <T> T step(String name, String summary, Supplier<T> action, java.util.function.ToIntFunction<T> attempts,
      java.util.function.Function<T, String> detail) {
    currentStep = name;
    return steps.run(name, summary, action, attempts, detail);
  }

  private DeploymentReport succeed(String summary) {
    report.finish(DeploymentState.SUCCEEDED, summary);
    publishFinal();
    return report.build();
  }

  private DeploymentReport fail(TemporalFailure e) {
    boolean cancelled = isCancellation(e);
    Throwable cause = e.getCause() == null ? e : e.getCause();
    String type = cancelled ? "Cancelled" : cause instanceof ApplicationFailure af ? af.getType() : "Timeout";
    report.error(currentStep, type, cancelled ? "the rollback was cancelled" : messageOf(e));
    DeploymentState state;
    String summary;
    if (!changedSomething) {
      state = cancelled ? DeploymentState.CANCELLED : DeploymentState.FAILED;
      summary = (cancelled ? "cancelled" : "refused") + " before anything changed: " + messageOf(e);
    } else {
      state = DeploymentState.NEEDS_ATTENTION;
      summary = "the rollback stopped at " + currentStep + " after it had changed something";
      report.actionRequired("check which release serves (`flaredeploy local status` or the Cloudflare dashboard) and "
          + "the databases; " + currentStep + " failed: " + messageOf(e) + "; run `flaredeploy rollback` again, or "
          + "deploy a known good commit");
      metrics.neededAPerson();
    }
    report.finish(state, summary);
    publishFinal();
    if (state == DeploymentState.CANCELLED) {
      throw new CanceledFailure(summary);
    }
    throw ApplicationFailure.newNonRetryableFailure(state.name() + ": " + summary, FailureTypes.DEPLOYMENT_FAILED,
        state.name());
  }

  private void publish() {
    Workflow.upsertMemo(Map.of(DeploymentAttributes.REPORT_MEMO, report.build()));
  }

  private void publishFinal() {
    publish();
    Workflow.upsertTypedSearchAttributes(DeploymentAttributes.STATE.valueSet(report.state().name()));
    metrics.ended(report.state().name());
    if (notifier != null) {
      Workflow.newDetachedCancellationScope(() -> {
        String event = report.state() == DeploymentState.SUCCEEDED ? dev.flaredeploy.workflows.model.NotifyTarget.ROLLED_BACK
            : Notifier.eventOf(report.state());
        DeploymentReport r = report.build();
        notifier.send(event, r.service(), r.environment(), r.target(), r.state(), r.summary(), null,
            "flaredeploy status " + r.id(), null);
        List<String> warnings = notifier.drain();
        if (!warnings.isEmpty()) {
          warnings.forEach(report::warning);
          publish();
        }
      }).run();
    }
  }

  private ReleaseActivities release(Duration startToClose, int attempts, String summary) {
    return Workflow.newActivityStub(ReleaseActivities.class,
        ActivityOptions.newBuilder(options(startToClose, attempts)).setSummary(summary).build());
  }

  private DeploymentActivities deployment(String step, Duration startToClose, String summary) {
    return Workflow.newActivityStub(DeploymentActivities.class,
        ActivityOptions.newBuilder(options(startToClose, step.equals(Steps.SMOKE_TEST) ? 3 : 8)).setSummary(summary)
            .build());
  }
}
