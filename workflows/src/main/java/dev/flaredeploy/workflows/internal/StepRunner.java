package dev.flaredeploy.workflows.internal;

import static dev.flaredeploy.workflows.internal.Failures.attemptsOf;
import static dev.flaredeploy.workflows.internal.Failures.isCancellation;
import static dev.flaredeploy.workflows.internal.Failures.messageOf;

import dev.flaredeploy.workflows.model.StepState;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Workflow;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Runs the steps of one run (a deployment or a rollback): each is RUNNING in the report while it runs, then
 * SUCCEEDED with its attempts and detail, or FAILED / CANCELLED with what a person should read; the report is
 * published before and after, and the step's duration goes to the metrics. Workflow code.
 */
public final class StepRunner {
  private final ReportBuilder report;
  private final DeploymentMetrics metrics;
  private final Runnable publish;

  public StepRunner(ReportBuilder report, DeploymentMetrics metrics, Runnable publish) {
    this.report = report;
    this.metrics = metrics;
    this.publish = publish;
  }

  /**
   * Runs {@code action} as the step {@code name}.
   *
   * @param attempts how many attempts the result took (activities report it)
   * @param detail what the report says of the result
   * @throws ActivityFailure or {@link CanceledFailure} as the action threw it, once the report says so
   */
  public <T> T run(String name, String summary, Supplier<T> action, ToIntFunction<T> attempts,
      Function<T, String> detail) {
    int index = report.startStep(name, summary);
    long started = Workflow.currentTimeMillis();
    publish.run();
    try {
      T result = action.get();
      report.finishStep(index, StepState.SUCCEEDED, attempts.applyAsInt(result), detail.apply(result));
      metrics.step(name, StepState.SUCCEEDED, Workflow.currentTimeMillis() - started);
      publish.run();
      return result;
    } catch (ActivityFailure | CanceledFailure e) {
      boolean cancelled = isCancellation(e);
      StepState state = cancelled ? StepState.CANCELLED : StepState.FAILED;
      report.finishStep(index, state, attemptsOf(e), cancelled ? "cancelled while it ran" : messageOf(e));
      metrics.step(name, state, Workflow.currentTimeMillis() - started);
      publish.run();
      throw e;
    }
  }
}
