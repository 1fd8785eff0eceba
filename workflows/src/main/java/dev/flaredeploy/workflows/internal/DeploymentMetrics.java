package dev.flaredeploy.workflows.internal;

import com.uber.m3.tally.Scope;
import com.uber.m3.util.Duration;
import dev.flaredeploy.workflows.model.StepState;
import io.temporal.workflow.Workflow;
import java.util.Map;

/**
 * flaredeploy's own metrics, emitted from workflow code through {@link Workflow#getMetricsScope()}: replay-safe
 * (nothing is emitted while a history replays), and reported by the worker's metrics reporter beside the SDK's
 * (Prometheus: {@code flaredeploy worker --metrics-port}). Names and tags are the contract of
 * docs/operations.md.
 */
public final class DeploymentMetrics {
  public static final String DEPLOYMENTS = "flaredeploy_deployments";
  public static final String STEP_DURATION = "flaredeploy_step_duration";
  public static final String ROLLBACKS = "flaredeploy_rollbacks";
  public static final String NEEDS_A_PERSON = "flaredeploy_compensations_needing_a_person";
  public static final String MIGRATIONS_APPLIED = "flaredeploy_migrations_applied";
  public static final String APPROVAL_WAITS = "flaredeploy_approval_waits";
  public static final String APPROVAL_DECISIONS = "flaredeploy_approval_decisions";

  private final Scope scope;

  public DeploymentMetrics(String service, String environment, String target) {
    this.scope = Workflow.getMetricsScope().tagged(Map.of(
        "service", nonNull(service), "environment", nonNull(environment), "target", nonNull(target)));
  }

  /** A run ended in {@code state}. */
  public void ended(String state) {
    scope.tagged(Map.of("outcome", state)).counter(DEPLOYMENTS).inc(1);
  }

  /** A step (or compensation) took {@code millis} and ended in {@code state}. */
  public void step(String step, StepState state, long millis) {
    scope.tagged(Map.of("step", step, "outcome", state.name())).timer(STEP_DURATION).record(Duration.ofMillis(millis));
  }

  /** A release was put back: {@code automatic} by a failed deployment's compensation, {@code manual} by rollback. */
  public void rolledBack(String kind) {
    scope.tagged(Map.of("kind", kind)).counter(ROLLBACKS).inc(1);
  }

  public void neededAPerson() {
    scope.counter(NEEDS_A_PERSON).inc(1);
  }

  public void migrationsApplied(String database, int count) {
    if (count > 0) {
      scope.tagged(Map.of("database", database)).counter(MIGRATIONS_APPLIED).inc(count);
    }
  }

  public void approvalWaitStarted() {
    scope.counter(APPROVAL_WAITS).inc(1);
  }

  /** {@code decision}: approved, rejected, expired or cancelled. */
  public void approvalDecided(String decision) {
    scope.tagged(Map.of("decision", decision)).counter(APPROVAL_DECISIONS).inc(1);
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }
}
