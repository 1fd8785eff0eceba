package dev.flaredeploy.workflows.internal;

import static dev.flaredeploy.workflows.internal.Failures.attemptsOf;
import static dev.flaredeploy.workflows.internal.Failures.messageOf;

import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.Steps;
import dev.flaredeploy.workflows.model.CompensationOutcome;
import dev.flaredeploy.workflows.model.StepState;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The run's undo list (a saga): each step registers what undoes it just before its action; when a step
 * fails or the run is cancelled, {@link #run} undoes newest first, keeping the report current. A
 * compensation that fails is reported with what a person must do, never hidden.
 *
 * <p>restore-database runs only when the run was cancelled or the failed step is in the plan's {@code
 * restore_database_on}, and always under its database's lock ({@code hold}): a database a deployment no
 * longer holds is locked again first, so no other deployment migrates it between the restore's look and
 * its copy.
 */
public final class Compensations {
  /**
   * One undo action.
   *
   * @param binding the database a restore is for (null for rollback-worker)
   * @param manualAction what a person must do if this compensation cannot complete
   */
  public record Compensation(
      String step, String binding, String manualAction, Supplier<CompensationOutcome> action) {}

  private final List<Compensation> registered = new ArrayList<>();
  private final ReportBuilder report;
  private final Runnable publish;
  private final Function<String, Runnable> hold;
  private final DeploymentMetrics metrics;

  /**
   * @param hold makes sure a binding's database lock is held before its restore; returns what gives back
   *     a lock taken for the restore
   * @param metrics counts each compensation's duration, automatic rollbacks and those that need a person
   */
  public Compensations(ReportBuilder report, Runnable publish, Function<String, Runnable> hold,
      DeploymentMetrics metrics) {
    this.report = report;
    this.publish = publish;
    this.hold = hold;
    this.metrics = metrics;
  }

  public void add(Compensation compensation) {
    registered.add(compensation);
  }

  public boolean isEmpty() {
    return registered.isEmpty();
  }

  /** Undoes what was done, newest first (call it in a detached cancellation scope). */
  public void run(String failedStep, boolean cancelled, List<String> restoreDatabaseOn) {
    for (int i = registered.size() - 1; i >= 0; i--) {
      Compensation c = registered.get(i);
      String what = c.binding() == null ? c.step() : c.step() + " " + c.binding();
      boolean restore = c.step().equals(Steps.RESTORE_DATABASE);
      String failedAs = Steps.restorableAs(failedStep);
      if (restore && !cancelled && !restoreDatabaseOn.contains(failedAs)) {
        report.skippedStep(what, "kept: the migrations are expected to be backward-compatible "
            + "([compensation] restore_database_on does not include " + failedAs + ")");
        continue;
      }
      Runnable giveBack;
      try {
        giveBack = restore ? hold.apply(c.binding()) : () -> { };
      } catch (ActivityFailure e) {
        report.actionRequired(c.manualAction() + " once no other deployment migrates it; its lock could not be"
            + " taken to restore it: " + messageOf(e));
        metrics.neededAPerson();
        publish.run();
        continue;
      }
      int index = report.startStep(c.step(), what);
      long started = Workflow.currentTimeMillis();
      publish.run();
      try {
        CompensationOutcome outcome = c.action().get();
        report.finishStep(index, StepState.SUCCEEDED, outcome.attempt(), outcome.detail());
        metrics.step(c.step(), StepState.SUCCEEDED, Workflow.currentTimeMillis() - started);
        if (c.binding() != null) {
          report.restored(c.binding());
        } else {
          metrics.rolledBack("automatic");
        }
      } catch (ActivityFailure e) {
        report.finishStep(index, StepState.FAILED, attemptsOf(e), messageOf(e));
        metrics.step(c.step(), StepState.FAILED, Workflow.currentTimeMillis() - started);
        metrics.neededAPerson();
        report.actionRequired(FailureTypes.RESTORE_REFUSED.equals(Failures.typeOf(e))
            ? messageOf(e) // says what to do instead: the restore point would remove someone else's migrations
            : c.manualAction() + "; " + c.step() + " failed: " + messageOf(e));
      }
      publish.run();
      giveBack.run();
    }
  }
}
