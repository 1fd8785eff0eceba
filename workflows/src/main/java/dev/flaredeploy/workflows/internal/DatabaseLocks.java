package dev.flaredeploy.workflows.internal;

import dev.flaredeploy.workflows.DeploymentIds;
import dev.flaredeploy.workflows.Steps;
import dev.flaredeploy.workflows.locks.DatabaseLockActivities;
import dev.flaredeploy.workflows.locks.DatabaseLockGrants;
import dev.flaredeploy.workflows.locks.DatabaseLockWorkflow;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.LockGrant;
import dev.flaredeploy.workflows.model.LockHolder;
import dev.flaredeploy.workflows.model.LockRequest;
import dev.flaredeploy.workflows.model.LockTicket;
import dev.flaredeploy.workflows.model.StepState;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.SignalExternalWorkflowException;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A deployment's side of the database locks ({@code DatabaseLockWorkflow}): takes the locks of the
 * databases it migrates, in one fixed order (by lock id, the same for every deployment, so two deployments
 * that share two databases never wait for each other in a circle), one at a time, and releases them.
 * While it waits the report shows a {@value Steps#LOCK_DATABASE} step naming the deployment it waits for.
 *
 * <p>Grants arrive as the signal {@code database-lock-granted}, which this object listens to ({@link
 * DatabaseLockGrants}), whenever they arrive (also before the request's activity returned). A wait asks again every {@link
 * #ASK_AGAIN}, so a lock workflow that a person terminated is started anew rather than waited for forever.
 */
public final class DatabaseLocks implements DatabaseLockGrants {
  /** How often a waiting deployment asks its lock again (the lock may have been terminated by a person). */
  static final Duration ASK_AGAIN = Duration.ofMinutes(5);

  /**
   * One database's lock, as this deployment knows it.
   *
   * @param bindings this deployment's bindings of the database (usually one)
   */
  public record Lock(String lockId, List<String> bindings, String database) {
    /** How this deployment names the database: its binding(s). */
    public String binding() {
      return String.join(", ", bindings);
    }
  }

  private final LockHolder self;
  private final String taskQueue;
  private final ReportBuilder report;
  private final Runnable publish;
  private final Map<String, LockGrant> grants = new HashMap<>();
  /** Locks asked for and not released: held, or waited for. */
  private final Set<String> requested = new LinkedHashSet<>();
  private final Set<String> held = new LinkedHashSet<>();
  private final Map<String, Lock> byBinding = new LinkedHashMap<>();
  private boolean enabled;

  /**
   * The request sends the lock workflow an update-with-start: quick; retried through a busy or restarting
   * server (the deployment cannot go on without the lock anyway).
   */
  private final DatabaseLockActivities activities = Workflow.newActivityStub(DatabaseLockActivities.class,
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(1))
          .setRetryOptions(RetryOptions.newBuilder()
              .setInitialInterval(Duration.ofSeconds(1))
              .setMaximumInterval(Duration.ofSeconds(30))
              .setMaximumAttempts(20)
              .build())
          .build());

  /** Listens to grants from the moment it exists (create it at the start of the run). */
  public DatabaseLocks(LockHolder self, String taskQueue, ReportBuilder report, Runnable publish) {
    this.self = self;
    this.taskQueue = taskQueue;
    this.report = report;
    this.publish = publish;
    Workflow.registerListener(this);
  }

  /**
   * The locks of {@code databases} of the plan, one per database (two bindings of one database share it),
   * in the order every deployment takes them.
   */
  public static List<Lock> of(DeploymentPlan plan, List<DatabasePlan> databases) {
    Map<String, Lock> locks = new LinkedHashMap<>();
    for (DatabasePlan db : databases) {
      String key = DeploymentIds.databaseKey(plan.target(), db.binding(), db.databaseId(), db.localDatabaseId());
      String lockId = DeploymentIds.databaseLockId(plan.target(), key);
      String name = db.databaseName() == null ? db.binding() : db.databaseName();
      Lock known = locks.get(lockId);
      List<String> bindings = new ArrayList<>(known == null ? List.of() : known.bindings());
      bindings.add(db.binding());
      locks.put(lockId, new Lock(lockId, List.copyOf(bindings),
          known != null ? known.database() : name + " (" + key + ", " + plan.target() + ")"));
    }
    List<Lock> ordered = new ArrayList<>(locks.values());
    ordered.sort(Comparator.comparing(Lock::lockId));
    return ordered;
  }

  /** A lock is now ours (the signal {@code database-lock-granted}). */
  @Override
  public void granted(LockGrant grant) {
    grants.put(grant.lockId(), grant);
  }

  /**
   * Takes {@code locks} in their order (as {@link #of} gives it), waiting as long as others hold them.
   * Locks already held are kept.
   *
   * @return true when a lock was held by another deployment when asked for: the databases may have changed
   *     since this deployment looked at them
   * @throws CanceledFailure when the deployment is cancelled while it waits (the wait step ends CANCELLED)
   * @throws ActivityFailure when the lock could not be asked for
   */
  public boolean acquire(List<Lock> locks) {
    enabled = true;
    boolean waited = false;
    for (Lock lock : locks) {
      lock.bindings().forEach(binding -> byBinding.putIfAbsent(binding, lock));
      if (!held.contains(lock.lockId())) {
        waited |= !take(lock);
      }
    }
    return waited;
  }

  /** True when this deployment ever took locks (runs recorded before locks existed never do). */
  public boolean enabled() {
    return enabled;
  }

  /**
   * Makes sure the lock of {@code binding}'s database is held (taking it again if it was released) and
   * returns what gives back a lock taken again here; nothing to give back when it was held already, or
   * when this deployment never locked that database.
   */
  public Runnable holdFor(String binding) {
    Lock lock = byBinding.get(binding);
    if (!enabled || lock == null || held.contains(lock.lockId())) {
      return () -> { };
    }
    take(lock);
    return () -> release(lock.lockId());
  }

  /** Releases every lock held or asked for (a queued request leaves the queue). Never fails. */
  public void releaseAll() {
    for (String lockId : new ArrayList<>(requested)) {
      release(lockId);
    }
  }

  private void release(String lockId) {
    requested.remove(lockId);
    held.remove(lockId);
    try {
      Workflow.newUntypedExternalWorkflowStub(lockId).signal(DatabaseLockWorkflow.RELEASE_SIGNAL, self.runId());
    } catch (SignalExternalWorkflowException | ApplicationFailure gone) {
      // the lock workflow does not run (a person terminated it, or it never started because the request
      // failed): nothing holds the lock. The SDK reports the failed signal as an ApplicationFailure of type
      // SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND.
    }
  }

  /** Takes one lock; true when it was free at once. */
  private boolean take(Lock lock) {
    requested.add(lock.lockId());
    LockRequest request = new LockRequest(lock.lockId(), taskQueue, lock.database(),
        new LockHolder(self.workflowId(), self.runId(), self.service(), self.environment(), lock.binding()));
    LockTicket ticket = activities.requestLock(request);
    if (!ticket.granted() && !grants.containsKey(lock.lockId())) {
      waitForTurn(lock, request, ticket);
    }
    grants.remove(lock.lockId());
    held.add(lock.lockId());
    return ticket.granted();
  }

  private void waitForTurn(Lock lock, LockRequest request, LockTicket ticket) {
    long since = Workflow.currentTimeMillis();
    String waitingFor = ticket.holder() == null ? "another deployment" : ticket.holder().describe();
    int index = report.startStep(Steps.LOCK_DATABASE, "waiting for " + waitingFor + " to finish migrating "
        + lock.binding() + " (" + lock.database() + ")"
        + (ticket.ahead() > 0 ? "; " + ticket.ahead() + " more deployment(s) ahead" : ""));
    publish.run();
    try {
      while (!grants.containsKey(lock.lockId())) {
        if (!Workflow.await(ASK_AGAIN, () -> grants.containsKey(lock.lockId()))
            && activities.requestLock(request).granted()) {
          break;
        }
      }
    } catch (CanceledFailure | ActivityFailure e) {
      report.finishStep(index, e instanceof CanceledFailure ? StepState.CANCELLED : StepState.FAILED, 1,
          e instanceof CanceledFailure ? "cancelled while waiting for " + waitingFor : e.getMessage());
      publish.run();
      throw e;
    }
    LockGrant grant = grants.get(lock.lockId());
    String after = grant == null || grant.previous() == null || grant.how() == null ? ""
        : "; " + grant.previous().describe() + " " + grant.how();
    report.finishStep(index, StepState.SUCCEEDED, 1, "waited " + waited(Workflow.currentTimeMillis() - since)
        + " for " + waitingFor + " to finish migrating " + lock.binding() + " (" + lock.database() + ")" + after);
    publish.run();
  }

  /** {@code 2m 13s}, {@code 45s}, {@code 1h 2m}. */
  static String waited(long millis) {
    long seconds = Math.max(0, millis / 1000);
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return seconds / 60 + "m " + seconds % 60 + "s";
    }
    return seconds / 3600 + "h " + seconds % 3600 / 60 + "m";
  }
}
