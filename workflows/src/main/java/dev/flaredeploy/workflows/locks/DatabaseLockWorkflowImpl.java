package dev.flaredeploy.workflows.locks;

import dev.flaredeploy.workflows.model.LockGrant;
import dev.flaredeploy.workflows.model.LockHolder;
import dev.flaredeploy.workflows.model.LockState;
import dev.flaredeploy.workflows.model.LockTicket;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.SignalExternalWorkflowException;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

/**
 * A FIFO lock as a workflow. The state is the holder and the queue; requests arrive as the update {@code
 * acquire} (granted in the handler when the lock is free), releases as the signal {@code release}; the main
 * loop grants the lock to the head of the queue whenever it is free, signalling the new holder.
 *
 * <p>A holder never loses the lock while its run is open, however long it takes (a worker crash does not
 * close a run: the deployment resumes elsewhere and keeps its lock). Once someone waits, the lock looks at
 * the holder's run at once and every {@link #HOLDER_CHECK}; a run that closed without releasing (terminated,
 * timed out) loses the lock to the next in the queue. Nobody waiting: nothing to check, no history grows.
 */
public class DatabaseLockWorkflowImpl implements DatabaseLockWorkflow {
  private static final Logger log = Workflow.getLogger(DatabaseLockWorkflowImpl.class);

  /** While someone waits, how often the lock checks that its holder's run is still open. */
  public static final Duration HOLDER_CHECK = Duration.ofSeconds(30);

  /** A free lock nobody asked for in this long ends its run (the next request starts a new one). */
  static final Duration IDLE = Duration.ofMinutes(10);

  /** Events after which the lock continues as new, carrying its state (well below Temporal's limits). */
  static final int HISTORY_LIMIT = 2_000;

  /** The holder check reads the run's state from the service: quick, and retried through a server hiccup. */
  private final DatabaseLockActivities activities = Workflow.newActivityStub(DatabaseLockActivities.class,
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setRetryOptions(RetryOptions.newBuilder().setMaximumInterval(Duration.ofSeconds(10)).build())
          .setSummary("is the holder's run still open?")
          .build());

  private LockHolder holder;
  private String heldSince;
  private final List<LockHolder> waiting = new ArrayList<>();
  private LockHolder previous;
  private String previousEnded;

  /** Restores what an earlier run of this lock handed over, before any request is handled. */
  @WorkflowInit
  public DatabaseLockWorkflowImpl(LockState state) {
    if (state != null) {
      holder = state.holder();
      heldSince = state.heldSince();
      waiting.addAll(state.waiting() == null ? List.of() : state.waiting());
      previous = state.previous();
      previousEnded = state.previousEnded();
    }
  }

  @Override
  public void hold(LockState state) {
    while (true) {
      if (Workflow.getInfo().getHistoryLength() > HISTORY_LIMIT || Workflow.getInfo().isContinueAsNewSuggested()) {
        Workflow.await(Workflow::isEveryHandlerFinished);
        Workflow.continueAsNew(state());
      }
      if (holder == null && !waiting.isEmpty()) {
        grantNext();
      } else if (holder == null) {
        Workflow.await(IDLE, () -> holder != null || !waiting.isEmpty());
        if (holder == null && waiting.isEmpty()) {
          Workflow.await(Workflow::isEveryHandlerFinished);
          if (holder == null && waiting.isEmpty()) {
            return; // free and unasked for: a later request starts a new run
          }
        }
      } else if (waiting.isEmpty()) {
        LockHolder current = holder;
        Workflow.await(() -> holder != current || !waiting.isEmpty());
      } else {
        LockHolder current = holder;
        if (!activities.holderRunning(current)) {
          if (holder == current) {
            free("ended without releasing it");
            log.warn("{} ended without releasing the lock; it goes to the next in the queue", current.workflowId());
          }
          continue;
        }
        Workflow.await(HOLDER_CHECK, () -> holder != current);
      }
    }
  }

  /** The head of the queue holds the lock; it is told so. A run that ended meanwhile is skipped. */
  private void grantNext() {
    LockHolder next = waiting.remove(0);
    LockGrant grant = new LockGrant(Workflow.getInfo().getWorkflowId(), previous, previousEnded);
    take(next);
    try {
      Workflow.newUntypedExternalWorkflowStub(WorkflowExecution.newBuilder()
              .setWorkflowId(next.workflowId()).setRunId(next.runId()).build())
          .signal(GRANTED_SIGNAL, grant);
    } catch (SignalExternalWorkflowException gone) {
      if (holder == next) {
        free("ended before its turn came");
      }
    }
  }

  @Override
  public LockTicket acquire(LockHolder requester) {
    String lockId = Workflow.getInfo().getWorkflowId();
    if (holder != null && holder.runId().equals(requester.runId())) {
      return new LockTicket(lockId, true, null, 0);
    }
    for (int i = 0; i < waiting.size(); i++) {
      if (waiting.get(i).runId().equals(requester.runId())) {
        return new LockTicket(lockId, false, aheadOfAll(), i);
      }
    }
    if (holder == null && waiting.isEmpty()) {
      take(requester);
      return new LockTicket(lockId, true, null, 0);
    }
    LockHolder ahead = aheadOfAll();
    waiting.add(requester);
    return new LockTicket(lockId, false, ahead, waiting.size() - 1);
  }

  @Override
  public void validateAcquire(LockHolder requester) {
    if (requester == null || requester.workflowId() == null || requester.runId() == null) {
      throw new IllegalArgumentException("a lock request names the workflow id and run id of its deployment");
    }
  }

  @Override
  public void release(String runId) {
    if (holder != null && holder.runId().equals(runId)) {
      free("released it");
    } else {
      waiting.removeIf(w -> w.runId().equals(runId));
    }
  }

  @Override
  public LockState state() {
    return new LockState(holder, heldSince, List.copyOf(waiting), previous, previousEnded);
  }

  private void take(LockHolder next) {
    holder = next;
    heldSince = Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString();
  }

  private void free(String how) {
    previous = holder;
    previousEnded = how;
    holder = null;
    heldSince = null;
  }

  /** Who a new request waits behind: the holder, or (between two holders) the next in the queue. */
  private LockHolder aheadOfAll() {
    return holder != null ? holder : waiting.isEmpty() ? null : waiting.get(0);
  }
}
