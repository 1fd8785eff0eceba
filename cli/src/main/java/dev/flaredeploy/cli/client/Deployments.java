package dev.flaredeploy.cli.client;

import dev.flaredeploy.workflows.DeploymentAttributes;
import dev.flaredeploy.workflows.DeploymentIds;
import dev.flaredeploy.workflows.DeploymentWorkflow;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.RollbackWorkflow;
import dev.flaredeploy.workflows.Steps;
import dev.flaredeploy.workflows.model.ApprovalDecision;
import dev.flaredeploy.workflows.model.ApprovalOutcome;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.RollbackRequest;
import io.temporal.client.WorkflowUpdateException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributes;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The CLI's window on deployments. It only starts, reads and cancels runs; it holds no state, so killing
 * the CLI changes nothing about a deployment.
 */
public class Deployments {
  private static final String WORKFLOW_TYPE = "Deployment";
  /** Rollbacks run under the deployment ids ({@code flaredeploy rollback}). */
  private static final String ROLLBACK_TYPE = "Rollback";
  private static final Duration POLL = Duration.ofMillis(500);

  private final WorkflowClient client;
  private final WorkflowServiceStubs stubs;
  private final String taskQueue;

  public Deployments(WorkflowClient client, WorkflowServiceStubs stubs, String taskQueue) {
    this.client = client;
    this.stubs = stubs;
    this.taskQueue = taskQueue;
  }

  /**
   * Starts a deployment; the workflow id makes it the only one running for its (target, service,
   * environment).
   *
   * @return the run's execution (workflow id and run id)
   * @throws AlreadyRunningException when one is running for the same id
   */
  public WorkflowExecution start(DeploymentRequest request, String commit, boolean dirty) {
    String id = DeploymentIds.workflowId(request.target(), request.service(), request.environment());
    DeploymentWorkflow workflow = client.newWorkflowStub(DeploymentWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(id)
            .setTaskQueue(taskQueue)
            .setTypedSearchAttributes(DeploymentAttributes.of(request, commit))
            .setStaticSummary(DeploymentAttributes.summary(request, commit, dirty))
            .setStaticDetails(DeploymentAttributes.details(request))
            .build());
    try {
      return WorkflowClient.start(workflow::deploy, request);
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new AlreadyRunningException(id, e.getExecution().getRunId());
    }
  }

  /**
   * Starts a rollback of one environment under its deployment id: refused while a deployment (or another
   * rollback) of it runs.
   *
   * @throws AlreadyRunningException when one is running for the same id
   */
  public WorkflowExecution startRollback(RollbackRequest request) {
    String id = DeploymentIds.workflowId(request.target(), request.service(), request.environment());
    RollbackWorkflow workflow = client.newWorkflowStub(RollbackWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(id)
            .setTaskQueue(taskQueue)
            .setTypedSearchAttributes(
                DeploymentAttributes.of(request.target(), request.service(), request.environment()))
            .setStaticSummary("roll back " + request.service() + " (" + request.environment() + ", " + request.target()
                + ") to " + (request.to() == null ? "the previous release" : "release " + request.to())
                + (request.restoreDatabase() ? ", restoring the databases" : ""))
            .setStaticDetails("requested by: " + request.requestedBy())
            .build());
    try {
      return WorkflowClient.start(workflow::rollback, request);
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new AlreadyRunningException(id, e.getExecution().getRunId());
    }
  }

  /**
   * Approves the plan the running deployment waits on; returns once its checks ran again (PROCEEDING or
   * ASKING_AGAIN).
   *
   * @throws ApprovalRefusedException when the deployment refuses it (nothing changed)
   * @throws IllegalStateException when no worker answered within {@code timeout}
   */
  public ApprovalOutcome approve(String workflowId, ApprovalDecision decision, Duration timeout) {
    return decide(workflowId, timeout, stub -> stub.approve(decision));
  }

  /** Rejects the plan the running deployment waits on: the run ends REJECTED with nothing changed. */
  public ApprovalOutcome reject(String workflowId, ApprovalDecision decision, Duration timeout) {
    return decide(workflowId, timeout, stub -> stub.reject(decision));
  }

  private ApprovalOutcome decide(String workflowId, Duration timeout,
      java.util.function.Function<DeploymentWorkflow, ApprovalOutcome> update) {
    WorkflowExecutionDescription description = describe(workflowId, null);
    if (description.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      throw new ApprovalRefusedException(FailureTypes.NOT_WAITING_FOR_APPROVAL, workflowId + " is not waiting for an "
          + "approval: its latest run ended " + report(description, workflowId).state());
    }
    if (!WORKFLOW_TYPE.equals(description.getWorkflowType())) {
      throw new ApprovalRefusedException(FailureTypes.NOT_WAITING_FOR_APPROVAL, workflowId + " is not waiting for an "
          + "approval: what runs now is a " + description.getWorkflowType().toLowerCase());
    }
    DeploymentWorkflow stub = client.newWorkflowStub(DeploymentWorkflow.class, workflowId,
        Optional.of(description.getExecution().getRunId()));
    CompletableFuture<ApprovalOutcome> sent = CompletableFuture.supplyAsync(() -> update.apply(stub));
    try {
      return sent.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      sent.cancel(true);
      throw new IllegalStateException("no worker answered within " + timeout.toSeconds() + " s: is a flaredeploy "
          + "worker running for task queue " + taskQueue + "? (`flaredeploy worker`)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof WorkflowUpdateException u) {
        var refusal = dev.flaredeploy.workflows.ApprovalGate.Refusal.of(u);
        if (refusal.isPresent()) {
          throw new ApprovalRefusedException(refusal.get().type(), refusal.get().message());
        }
        throw new ApprovalRefusedException(FailureTypes.NOT_WAITING_FOR_APPROVAL,
            u.getCause() == null ? u.getMessage() : u.getCause().getMessage());
      }
      throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    }
  }

  /** The latest run of a deployment id (running or finished). */
  public DeploymentReport status(String workflowId) {
    return report(describe(workflowId, null), workflowId);
  }

  /**
   * Follows a run until it ends, calling {@code onChange} whenever its report changes. The report comes
   * from the memo, so following needs no worker and survives a restart of the CLI.
   */
  public DeploymentReport follow(String workflowId, String runId, Consumer<DeploymentReport> onChange) {
    return Runs.follow(client, workflowId, runId, POLL, d -> report(d, workflowId), onChange);
  }

  /** Requests cancellation of the running run; its compensations run before it ends. */
  public String cancel(String workflowId, String reason) {
    return Runs.cancel(client, workflowId, reason, d -> report(d, workflowId).state());
  }

  /**
   * Recent deployments and rollbacks (which run under the deployment ids), newest first, optionally of one service
   * and/or environment. A rollback's summary starts with "rollback: ".
   */
  public List<DeploymentReport> list(String service, String environment, int limit) {
    StringBuilder query = new StringBuilder("(WorkflowType = '" + WORKFLOW_TYPE + "' OR WorkflowType = '"
        + ROLLBACK_TYPE + "')");
    if (service != null) {
      query.append(" AND ").append(DeploymentAttributes.SERVICE.getName()).append(" = '").append(Runs.quote(service)).append("'");
    }
    if (environment != null) {
      query.append(" AND ").append(DeploymentAttributes.ENVIRONMENT.getName()).append(" = '").append(Runs.quote(environment)).append("'");
    }
    return Runs.list(client, stubs, List.of(WORKFLOW_TYPE, ROLLBACK_TYPE), query.toString(),
        id -> matches(id, service, environment), limit, Deployments::listed);
  }

  /** A listed run's report; a rollback's says so. */
  private static DeploymentReport listed(WorkflowExecutionMetadata run) {
    DeploymentReport r = report(run);
    if (!ROLLBACK_TYPE.equals(run.getWorkflowType()) || r.summary() == null || r.summary().startsWith("rollback")) {
      return r;
    }
    return new DeploymentReport(r.id(), r.runId(), r.service(), r.environment(), r.target(), r.commit(), r.dirty(),
        r.source(), r.state(), "rollback: " + r.summary(), r.steps(), r.databases(), r.release(), r.error(),
        r.actionsRequired(), r.startedAt(), r.finishedAt(), r.overrides(), r.checks(), r.approval(), r.warnings());
  }

  /** Every step and compensation of the latest run with its attempts and failures, from the history. */
  public List<HistoryEntry> history(String workflowId) {
    describe(workflowId, null);
    List<HistoryEvent> events = client.fetchHistory(workflowId).getEvents();
    Map<Long, HistoryEntry> entries = new LinkedHashMap<>();
    Map<Long, List<String>> failures = new LinkedHashMap<>();
    for (HistoryEvent event : events) {
      String at = Instant.ofEpochSecond(event.getEventTime().getSeconds(), event.getEventTime().getNanos()).toString();
      switch (event.getEventType()) {
        case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED -> {
          String step = event.getActivityTaskScheduledEventAttributes().getActivityType().getName();
          String summary = event.hasUserMetadata() && event.getUserMetadata().hasSummary()
              ? decode(event.getUserMetadata().getSummary(), String.class) : "";
          boolean compensation = step.equals(Steps.ROLLBACK_WORKER) || step.equals(Steps.RESTORE_DATABASE);
          entries.put(event.getEventId(), new HistoryEntry(step, compensation, "SCHEDULED", 0, at, null, summary, List.of()));
          failures.put(event.getEventId(), new ArrayList<>());
        }
        case EVENT_TYPE_ACTIVITY_TASK_STARTED -> {
          var attrs = event.getActivityTaskStartedEventAttributes();
          long id = attrs.getScheduledEventId();
          if (attrs.hasLastFailure()) {
            failures.get(id).add(attrs.getLastFailure().getMessage());
          }
          update(entries, id, "RUNNING", attrs.getAttempt(), null, failures);
        }
        case EVENT_TYPE_ACTIVITY_TASK_COMPLETED ->
            update(entries, event.getActivityTaskCompletedEventAttributes().getScheduledEventId(), "SUCCEEDED", -1, at, failures);
        case EVENT_TYPE_ACTIVITY_TASK_FAILED -> {
          var attrs = event.getActivityTaskFailedEventAttributes();
          failures.get(attrs.getScheduledEventId()).add(failureMessage(attrs.getFailure()));
          update(entries, attrs.getScheduledEventId(), "FAILED", -1, at, failures);
        }
        case EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT -> {
          var attrs = event.getActivityTaskTimedOutEventAttributes();
          failures.get(attrs.getScheduledEventId()).add(failureMessage(attrs.getFailure()));
          update(entries, attrs.getScheduledEventId(), "TIMED_OUT", -1, at, failures);
        }
        case EVENT_TYPE_ACTIVITY_TASK_CANCELED ->
            update(entries, event.getActivityTaskCanceledEventAttributes().getScheduledEventId(), "CANCELLED", -1, at, failures);
        default -> { }
      }
    }
    return List.copyOf(entries.values());
  }

  /**
   * What the latest run was asked to do, as its history recorded it (the workflow input): who asked, and
   * the policy overrides with their reasons. Empty when the input cannot be read.
   */
  public Optional<DeploymentRequest> request(String workflowId) {
    describe(workflowId, null);
    for (HistoryEvent event : client.fetchHistory(workflowId).getEvents()) {
      if (event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) {
        var input = event.getWorkflowExecutionStartedEventAttributes().getInput();
        if (input.getPayloadsCount() == 0) {
          return Optional.empty();
        }
        try {
          return Optional.ofNullable(decode(input.getPayloads(0), DeploymentRequest.class));
        } catch (RuntimeException unreadable) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------------------------------------

  private static void update(Map<Long, HistoryEntry> entries, long id, String state, int attempt, String closedAt,
      Map<Long, List<String>> failures) {
    HistoryEntry e = entries.get(id);
    if (e == null) {
      return;
    }
    entries.put(id, new HistoryEntry(e.step(), e.compensation(), state, attempt < 0 ? e.attempts() : attempt,
        e.scheduledAt(), closedAt, e.summary(), List.copyOf(failures.get(id))));
  }

  private static String failureMessage(io.temporal.api.failure.v1.Failure failure) {
    io.temporal.api.failure.v1.Failure f = failure;
    while (f.hasCause() && f.getMessage().isEmpty()) {
      f = f.getCause();
    }
    return f.getMessage();
  }

  private WorkflowExecutionDescription describe(String workflowId, String runId) {
    return Runs.describe(client, workflowId, runId);
  }

  private static DeploymentReport report(WorkflowExecutionDescription description, String workflowId) {
    DeploymentReport report = description.getMemo(DeploymentAttributes.REPORT_MEMO, DeploymentReport.class, DeploymentReport.class);
    return settle(report, description.getStatus(), workflowId, description.getExecution().getRunId(),
        description.getTypedSearchAttributes());
  }

  /** A run's report from its memo (or from what Temporal knows, when it wrote none). */
  static DeploymentReport reportOf(WorkflowExecutionMetadata run) {
    return report(run);
  }

  private static DeploymentReport report(WorkflowExecutionMetadata run) {
    DeploymentReport report = run.getMemo(DeploymentAttributes.REPORT_MEMO, DeploymentReport.class, DeploymentReport.class);
    return settle(report, run.getStatus(), run.getExecution().getWorkflowId(), run.getExecution().getRunId(),
        run.getTypedSearchAttributes());
  }

  /**
   * The report as it stands; a run that never wrote one (or ended without finishing it, as when someone
   * terminated it) is described from what Temporal knows.
   */
  private static DeploymentReport settle(DeploymentReport report, WorkflowExecutionStatus status, String workflowId,
      String runId, SearchAttributes attributes) {
    boolean running = status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    if (report == null) {
      String[] parts = workflowId.split(":");
      report = new DeploymentReport(workflowId, runId,
          attributes == null ? part(parts, 2) : Optional.ofNullable(attributes.get(DeploymentAttributes.SERVICE)).orElse(part(parts, 2)),
          part(parts, 3), part(parts, 1),
          attributes == null ? null : attributes.get(DeploymentAttributes.COMMIT),
          false, null, "RUNNING", "starting", List.of(), List.of(), null, null, List.of(), null, null, List.of(), null,
          null, null);
    }
    if (running || !report.state().equals("RUNNING")) {
      return report;
    }
    String how = status.name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase();
    return new DeploymentReport(report.id(), report.runId(), report.service(), report.environment(), report.target(),
        report.commit(), report.dirty(), report.source(), "NEEDS_ATTENTION",
        "the run was " + how + " outside flaredeploy before it finished; its compensations did not run",
        report.steps(), report.databases(), report.release(), report.error(),
        List.of("check which release serves and whether the databases hold a partial migration; "
            + "then deploy again (steps done so far are in `flaredeploy history " + report.id() + "`)"),
        report.startedAt(), report.finishedAt(), report.overrides(), report.checks(), report.approval(),
        report.warnings());
  }

  private static String part(String[] parts, int i) {
    return parts.length > i ? parts[i] : null;
  }

  private static boolean matches(String workflowId, String service, String environment) {
    String[] parts = workflowId.split(":");
    return DeploymentIds.isDeploymentId(workflowId) // the legacy listings hold fleets too
        && parts.length == 4
        && (service == null || parts[2].equals(service))
        && (environment == null || parts[3].equals(environment));
  }

  private static <T> T decode(Payload payload, Class<T> type) {
    return Runs.decode(payload, type);
  }
}
