package dev.flaredeploy.cli.client;

import dev.flaredeploy.workflows.DeploymentAttributes;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.FleetIds;
import dev.flaredeploy.workflows.FleetWorkflow;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.FleetMemberReport;
import dev.flaredeploy.workflows.model.FleetMemberState;
import dev.flaredeploy.workflows.model.FleetReport;
import dev.flaredeploy.workflows.model.FleetRequest;
import dev.flaredeploy.workflows.model.FleetState;
import dev.flaredeploy.workflows.model.StepReport;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The CLI's window on fleet runs: start, read, follow, cancel, list. It holds no state.
 *
 * <p>A fleet's report comes from the run itself: its result (succeeded) or its failure's details (failed) once it
 * ended, its {@code progress} query while it runs (or once it was cancelled), which needs a worker. Without a
 * worker the members are read from their own runs: the fleet's input names them, and each member's latest run
 * is this fleet's when the fleet started it. The step a running or failed member is at comes from its own run's
 * report, so a fleet never has to keep it.
 */
public class Fleets {
  private static final String WORKFLOW_TYPE = "Fleet";
  private static final Duration POLL = Duration.ofSeconds(1);
  /** How long a query may take before the report is read from the members' runs instead. */
  private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);

  private final WorkflowClient client;
  private final WorkflowServiceStubs stubs;
  private final String taskQueue;

  public Fleets(WorkflowClient client, WorkflowServiceStubs stubs, String taskQueue) {
    this.client = client;
    this.stubs = stubs;
    this.taskQueue = taskQueue;
  }

  /**
   * Starts a fleet run; its id is its lock.
   *
   * @throws AlreadyRunningException when a fleet run of the same selection runs
   */
  public WorkflowExecution start(String id, FleetRequest request, String summary, String details) {
    SearchAttributes.Builder attributes = SearchAttributes.newBuilder()
        .set(DeploymentAttributes.TARGET, request.target())
        .set(DeploymentAttributes.STATE, FleetState.RUNNING.name());
    List<String> services = request.members().stream().map(m -> m.request().service()).distinct().toList();
    if (services.size() == 1) {
      attributes.set(DeploymentAttributes.SERVICE, services.get(0));
    }
    FleetWorkflow fleet = client.newWorkflowStub(FleetWorkflow.class, WorkflowOptions.newBuilder()
        .setWorkflowId(id)
        .setTaskQueue(taskQueue)
        .setTypedSearchAttributes(attributes.build())
        .setStaticSummary(summary)
        .setStaticDetails(details)
        .build());
    try {
      return WorkflowClient.start(fleet::deploy, request);
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new AlreadyRunningException(id, e.getExecution().getRunId());
    }
  }

  /** The fleet's latest run, every member with its state, step and summary. */
  public FleetReport status(String id) {
    return report(id, Runs.describe(client, id, null));
  }

  /** Follows the fleet until it ends (through any continue-as-new), calling {@code onChange} when it changes. */
  public FleetReport follow(String id, Consumer<FleetReport> onChange) {
    return Runs.follow(client, id, null, POLL, d -> report(id, d), onChange);
  }

  /** Requests cancellation: running members undo what they changed, pending ones are skipped. */
  public String cancel(String id, String reason) {
    return Runs.cancel(client, id, reason, d -> report(id, d).state());
  }

  /**
   * Recent fleet runs, newest first, as their memo has them (counts, no members), optionally only those with a
   * member of {@code service} and whose selection takes in {@code environment}.
   */
  public List<FleetReport> list(String service, String environment, int limit) {
    // a fleet of several services has no service attribute, so the filters read the fleet id
    List<FleetReport> found = Runs.list(client, stubs, List.of(WORKFLOW_TYPE), "WorkflowType = '" + WORKFLOW_TYPE + "'",
        FleetIds::isFleetId, service == null && environment == null ? limit : Math.max(limit, 1000), Fleets::listed);
    if (service == null && environment == null) {
      return found;
    }
    return found.stream().filter(f -> selects(f.id(), service, environment)).limit(limit).toList();
  }

  /** What the fleet's latest run was asked to do (members, options, who asked), as its history recorded it. */
  public Optional<FleetRequest> request(String id) {
    WorkflowExecutionDescription description = Runs.describe(client, id, null);
    return Optional.ofNullable(input(id, description.getExecution().getRunId()));
  }

  // ---------------------------------------------------------------------------------------------------

  private FleetReport report(String id, WorkflowExecutionDescription description) {
    FleetReport memo = description.getMemo(DeploymentAttributes.FLEET_MEMO, FleetReport.class, FleetReport.class);
    WorkflowExecutionStatus status = description.getStatus();
    FleetReport full = switch (status) {
      case WORKFLOW_EXECUTION_STATUS_COMPLETED -> result(id);
      case WORKFLOW_EXECUTION_STATUS_FAILED -> failureDetails(id);
      default -> query(id);
    };
    if (full == null || full.members().isEmpty()) {
      full = fromMembers(id, description, memo);
    }
    full = withSteps(full);
    boolean running = status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    if (!running && full.state().equals(FleetState.RUNNING.name())) {
      String how = status.name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase();
      List<String> actions = new ArrayList<>(full.actionsRequired());
      actions.add("the fleet run was " + how + " outside flaredeploy; its running members were asked to cancel"
          + " and undo what they changed: check each member with `flaredeploy status ID`");
      full = new FleetReport(full.id(), full.runId(), full.selection(), full.target(),
          FleetState.NEEDS_ATTENTION.name(), "the fleet run was " + how + " outside flaredeploy before it finished",
          full.options(), full.total(), full.succeeded(), full.failed(), full.running(), full.skipped(),
          full.pending(), full.members(), actions, full.startedAt(), full.finishedAt(), full.runs());
    }
    return full;
  }

  private FleetReport result(String id) {
    try {
      return client.newUntypedWorkflowStub(id).getResult(QUERY_TIMEOUT.toSeconds(), TimeUnit.SECONDS,
          FleetReport.class);
    } catch (Exception unreadable) {
      return null;
    }
  }

  private FleetReport failureDetails(String id) {
    try {
      client.newUntypedWorkflowStub(id).getResult(QUERY_TIMEOUT.toSeconds(), TimeUnit.SECONDS, FleetReport.class);
      return null;
    } catch (WorkflowFailedException e) {
      if (e.getCause() instanceof ApplicationFailure af && FailureTypes.FLEET_FAILED.equals(af.getType())) {
        try {
          return af.getDetails().get(0, FleetReport.class);
        } catch (RuntimeException noDetails) {
          return null;
        }
      }
      return null;
    } catch (Exception unreadable) {
      return null;
    }
  }

  /** The query, bounded: null when no worker answers in time. */
  private FleetReport query(String id) {
    WorkflowStub stub = client.newUntypedWorkflowStub(id);
    try {
      return CompletableFuture.supplyAsync(() -> stub.query("progress", FleetReport.class))
          .get(QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception noWorker) {
      return null;
    }
  }

  /**
   * Without the fleet's own answer: the members from its input (earlier runs' outcomes included), each one that
   * ran read from its own latest run when this fleet started it.
   */
  private FleetReport fromMembers(String id, WorkflowExecutionDescription description, FleetReport memo) {
    FleetRequest input = input(id, description.getExecution().getRunId());
    if (input == null || memo == null) {
      return memo != null ? memo : new FleetReport(id, description.getExecution().getRunId(), null, null,
          FleetState.RUNNING.name(), "starting", null, 0, 0, 0, 0, 0, 0, List.of(), List.of(), null, null, 1);
    }
    boolean running = description.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    Instant fleetStart = memo.startedAt() == null ? Instant.EPOCH : Instant.parse(memo.startedAt());
    List<FleetMemberReport> members = new ArrayList<>();
    for (int i = 0; i < input.members().size(); i++) {
      int index = i;
      Optional<FleetMemberReport> earlier = input.finished() == null ? Optional.empty()
          : input.finished().stream().filter(m -> m.index() == index).findFirst();
      if (earlier.isPresent()) {
        members.add(earlier.get());
        continue;
      }
      var r = input.members().get(i).request();
      String memberId = dev.flaredeploy.workflows.DeploymentIds.workflowId(r.target(), r.service(), r.environment());
      members.add(memberRun(id, memberId, fleetStart).map(run -> {
        DeploymentReport report = Deployments.reportOf(run);
        return new FleetMemberReport(index, memberId, r.service(), r.environment(), memberState(report.state()),
            lastStep(report), report.summary(), run.getExecution().getRunId(), report.startedAt(),
            report.finishedAt(), waitingDigest(report));
      }).orElseGet(() -> new FleetMemberReport(index, memberId, r.service(), r.environment(),
          running ? FleetMemberState.PENDING.name() : FleetMemberState.SKIPPED.name(), null,
          running ? "not started yet" : "not started", null, null, null)));
    }
    return memo.withMembers(members);
  }

  /** The member's latest run, when this fleet started it (not an earlier fleet or a deployment of its own). */
  private Optional<WorkflowExecutionDescription> memberRun(String fleetId, String memberId, Instant fleetStart) {
    try {
      WorkflowExecutionDescription run = Runs.describe(client, memberId, null);
      var info = run.getRawDescription().getWorkflowExecutionInfo();
      boolean ours = info.hasParentExecution() && info.getParentExecution().getWorkflowId().equals(fleetId)
          && !Instant.ofEpochSecond(info.getStartTime().getSeconds(), info.getStartTime().getNanos())
              .isBefore(fleetStart.minusSeconds(1));
      return ours ? Optional.of(run) : Optional.empty();
    } catch (UnknownDeploymentException never) {
      return Optional.empty();
    }
  }

  /**
   * The steps of members that run, or failed without the fleet knowing where: from their own runs. A running member
   * whose own run waits for an approval is WAITING_FOR_APPROVAL, with the digest it waits on (the fleet knows it only
   * as running).
   */
  private FleetReport withSteps(FleetReport report) {
    if (report.members().isEmpty()) {
      return report;
    }
    List<FleetMemberReport> members = new ArrayList<>();
    for (FleetMemberReport m : report.members()) {
      FleetMemberState state = FleetMemberState.valueOf(m.state());
      boolean running = !state.ended();
      boolean look = m.runId() != null && (running || (state.failed() && m.step() == null));
      if (!look) {
        members.add(m);
        continue;
      }
      try {
        DeploymentReport run = Deployments.reportOf(Runs.describe(client, m.id(), m.runId()));
        String step = running || run.error() == null ? lastStep(run) : run.error().step();
        String digest = running ? waitingDigest(run) : null;
        String now = !running ? m.state()
            : digest != null ? FleetMemberState.WAITING_FOR_APPROVAL.name() : FleetMemberState.RUNNING.name();
        members.add(new FleetMemberReport(m.index(), m.id(), m.service(), m.environment(), now, step,
            running ? run.summary() : m.summary(), m.runId(), m.startedAt(), m.finishedAt(), digest));
      } catch (RuntimeException unreadable) {
        members.add(m);
      }
    }
    return report.withMembers(members);
  }

  /** The digest a member's own run waits on for an approval; null when it does not wait. */
  private static String waitingDigest(DeploymentReport report) {
    return "WAITING_FOR_APPROVAL".equals(report.state()) && report.approval() != null
        && report.approval().plan() != null ? report.approval().plan().value() : null;
  }

  /** The input of the fleet's run: its members and what earlier runs did. */
  private FleetRequest input(String id, String runId) {
    try {
      var response = stubs.blockingStub().getWorkflowExecutionHistory(GetWorkflowExecutionHistoryRequest.newBuilder()
          .setNamespace(client.getOptions().getNamespace())
          .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id).setRunId(runId))
          .setMaximumPageSize(1)
          .build());
      for (HistoryEvent event : response.getHistory().getEventsList()) {
        if (event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) {
          var payloads = event.getWorkflowExecutionStartedEventAttributes().getInput();
          return payloads.getPayloadsCount() == 0 ? null : Runs.decode(payloads.getPayloads(0), FleetRequest.class);
        }
      }
      return null;
    } catch (RuntimeException unreadable) {
      return null;
    }
  }

  private static FleetReport listed(WorkflowExecutionMetadata run) {
    FleetReport memo = run.getMemo(DeploymentAttributes.FLEET_MEMO, FleetReport.class, FleetReport.class);
    if (memo == null) {
      return new FleetReport(run.getExecution().getWorkflowId(), run.getExecution().getRunId(), null, null,
          FleetState.RUNNING.name(), "starting", null, 0, 0, 0, 0, 0, 0, List.of(), List.of(),
          run.getStartTime() == null ? null : run.getStartTime().toString(), null, 1);
    }
    boolean ended = run.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    if (ended && memo.state().equals(FleetState.RUNNING.name())
        && run.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW) {
      return new FleetReport(memo.id(), memo.runId(), memo.selection(), memo.target(),
          FleetState.NEEDS_ATTENTION.name(), "the fleet run ended outside flaredeploy before it finished",
          memo.options(), memo.total(), memo.succeeded(), memo.failed(), memo.running(), memo.skipped(),
          memo.pending(), List.of(), memo.actionsRequired(), memo.startedAt(), memo.finishedAt(), memo.runs());
    }
    return memo;
  }

  /** Whether fleet {@code id} has a member of {@code service} and its selection takes in {@code environment}. */
  static boolean selects(String id, String service, String environment) {
    if (!FleetIds.isFleetId(id)) {
      return false;
    }
    String[] parts = id.split(":", -1);
    boolean serviceMatches = service == null || List.of(parts[2].split("\\+")).contains(service);
    boolean environmentMatches = environment == null || List.of(parts[3].split(",")).stream()
        .anyMatch(pattern -> EnvironmentGlob.matches(pattern, environment));
    return serviceMatches && environmentMatches;
  }

  private static String memberState(String deploymentState) {
    try {
      return FleetMemberState.valueOf(deploymentState).name();
    } catch (IllegalArgumentException | NullPointerException unknown) {
      return FleetMemberState.FAILED.name();
    }
  }

  private static String lastStep(DeploymentReport report) {
    List<StepReport> steps = report.steps();
    return steps == null || steps.isEmpty() ? null : steps.get(steps.size() - 1).name();
  }
}
