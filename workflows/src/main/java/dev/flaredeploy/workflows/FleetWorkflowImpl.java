package dev.flaredeploy.workflows;

import static dev.flaredeploy.workflows.internal.Failures.messageOf;

import dev.flaredeploy.workflows.internal.FleetSchedule;
import dev.flaredeploy.workflows.internal.StepOptions;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.DeploymentState;
import dev.flaredeploy.workflows.model.FleetMember;
import dev.flaredeploy.workflows.model.FleetMemberReport;
import dev.flaredeploy.workflows.model.FleetMemberState;
import dev.flaredeploy.workflows.model.FleetReport;
import dev.flaredeploy.workflows.model.FleetRequest;
import dev.flaredeploy.workflows.model.FleetState;
import dev.flaredeploy.workflows.model.StepReport;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TerminatedFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.ContinueAsNewOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet's runbook: (with {@code allOrNothing}) every member's checks first, then the members in waves as
 * {@link FleetSchedule} decides, each an ordinary deployment started as a child workflow under its own id; a
 * cancel reaches the running members (each undoes its own changes) and skips the rest.
 *
 * <p>A member's child is closed with the fleet: if the fleet run ends any other way than through this code (it is
 * terminated, say), its running members are asked to cancel, so they compensate rather than stop half-way.
 *
 * <p>History stays small: after {@value #MEMBERS_PER_RUN} members ended in one run (or when the server suggests
 * it), the fleet stops starting members, lets the running ones end, and continues as new with every member's
 * outcome in its input. The memo is the report without its members.
 */
public class FleetWorkflowImpl implements FleetWorkflow {
  /**
   * Members that may end in one run before the fleet continues as new. Each costs the run about a dozen events
   * (child start and end, workflow tasks, the memo), so a run stays near a thousand events, far below Temporal's
   * limits, and a query replays it quickly.
   */
  static final int MEMBERS_PER_RUN = 100;

  /** {@code Workflow.getVersion} change id: the fleet's own outcome sent to its {@code [[notify]]} webhooks. */
  static final String FLEET_NOTIFICATIONS = "fleet-notifications";

  /** The read-only checks of {@code allOrNothing}: with the deployment's heartbeat and retries (5 attempts). */
  private static final ActivityOptions CHECKS = ActivityOptions.newBuilder()
      .setStartToCloseTimeout(Duration.ofMinutes(5))
      .setHeartbeatTimeout(StepOptions.HEARTBEAT)
      .setRetryOptions(StepOptions.retries(5))
      .build();

  private FleetRequest request;
  private FleetSchedule schedule;
  private final List<FleetMemberReport> members = new ArrayList<>();
  /** Members whose child runs, by index, in start order. */
  private final Map<Integer, Promise<DeploymentReport>> running = new LinkedHashMap<>();
  /** Children that ended and were not looked at yet. */
  private final Deque<Ended> ended = new ArrayDeque<>();
  private final List<String> actionsRequired = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private String startedAt;
  private int run;
  private boolean checked;
  private int endedThisRun;
  private FleetState state = FleetState.RUNNING;
  private String summary = "started";
  private String finishedAt;

  /** A member's child ended: its report when it succeeded, else its failure. */
  private record Ended(int index, DeploymentReport report, RuntimeException failure) {}

  @Override
  public FleetReport deploy(FleetRequest fleet) {
    begin(fleet);
    try {
      if (fleet.options().allOrNothing() && !checked && !checkEveryMember()) {
        return finish(false);
      }
      while (true) {
        skipUnreachable();
        if (schedule.done()) {
          return finish(false);
        }
        boolean drain = endedThisRun >= MEMBERS_PER_RUN || Workflow.getInfo().isContinueAsNewSuggested();
        if (!drain) {
          schedule.startable().forEach(this::start);
        }
        if (running.isEmpty()) {
          if (drain) {
            continueAsNew();
          }
          throw ApplicationFailure.newNonRetryableFailure(
              "no member can start and none runs: " + counts(), FailureTypes.FLEET_FAILED);
        }
        publish();
        Workflow.await(() -> !ended.isEmpty());
        collectEnded();
      }
    } catch (CanceledFailure e) {
      Workflow.newDetachedCancellationScope(this::windDown).run();
      return finish(true);
    }
  }

  @Override
  public FleetReport progress() {
    return request == null ? null : report(true);
  }

  // ---- the steps ---------------------------------------------------------------------------------------

  private void begin(FleetRequest fleet) {
    request = fleet;
    run = Math.max(1, fleet.run());
    checked = fleet.checked();
    startedAt = fleet.startedAt() != null ? fleet.startedAt() : now();
    Map<Integer, FleetMemberReport> finished = new LinkedHashMap<>();
    if (fleet.finished() != null) {
      fleet.finished().forEach(m -> finished.put(m.index(), m));
    }
    List<String> names = new ArrayList<>();
    List<List<Integer>> after = new ArrayList<>();
    List<FleetMemberState> states = new ArrayList<>();
    for (int i = 0; i < fleet.members().size(); i++) {
      DeploymentRequest r = fleet.members().get(i).request();
      FleetMemberReport earlier = finished.get(i);
      members.add(earlier != null ? earlier
          : member(i, FleetMemberState.PENDING, null, "not started yet", null, null, null));
      names.add(r.service() + " (" + r.environment() + ")");
      List<Integer> deps = fleet.members().get(i).after();
      after.add(deps == null ? List.of() : deps);
      states.add(FleetMemberState.valueOf(members.get(i).state()));
    }
    schedule = new FleetSchedule(names, after, fleet.options(), states);
    publish();
  }

  /**
   * {@code allOrNothing}: prepare and validate-schema of every member ({@code parallel} at a time), read-only.
   * Returns true when all passed; otherwise the members whose checks failed end FAILED and the rest SKIPPED.
   */
  private boolean checkEveryMember() {
    summary = "checking every member before any changes anything (--all-or-nothing)";
    publish();
    Map<Integer, CheckFailure> failures = new LinkedHashMap<>();
    int size = request.members().size();
    int parallel = Math.max(1, request.options().parallel());
    for (int from = 0; from < size; from += parallel) {
      List<Promise<CheckFailure>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(size, from + parallel); i++) {
        batch.add(Async.function(this::check, i));
      }
      Promise.allOf(batch).get();
      for (int k = 0; k < batch.size(); k++) {
        CheckFailure failure = batch.get(k).get();
        if (failure != null) {
          failures.put(from + k, failure);
        }
      }
    }
    if (failures.isEmpty()) {
      checked = true;
      return true;
    }
    failures.forEach((i, why) -> {
      schedule.ended(i, FleetMemberState.FAILED);
      members.set(i, ended(i, FleetMemberState.FAILED, why.step(), why.message()));
    });
    String reason = "not started: --all-or-nothing, and " + failures.size() + " member"
        + (failures.size() == 1 ? "" : "s") + " failed their checks";
    for (int i : schedule.skipPending()) {
      members.set(i, ended(i, FleetMemberState.SKIPPED, null, reason));
    }
    return false;
  }

  /** The step of a member's checks that failed, and what a person reads about it. */
  private record CheckFailure(String step, String message) {}

  /** One member's checks; null when they passed, else which step failed and why. */
  private CheckFailure check(int index) {
    DeploymentRequest r = request.members().get(index).request();
    String what = r.service() + " (" + r.environment() + ")";
    String step = Steps.PREPARE;
    try {
      DeploymentPlan plan = Workflow.newActivityStub(DeploymentActivities.class,
          ActivityOptions.newBuilder(CHECKS).setSummary("check " + what + ": prepare").build()).prepare(r);
      step = Steps.VALIDATE_SCHEMA;
      Workflow.newActivityStub(DeploymentActivities.class,
          ActivityOptions.newBuilder(CHECKS).setSummary("check " + what + ": validate-schema").build())
          .validateSchema(plan);
      return null;
    } catch (ActivityFailure e) {
      if (e.getCause() instanceof CanceledFailure cancel) {
        throw cancel;
      }
      return new CheckFailure(step, step + " failed before anything changed (--all-or-nothing checks): "
          + messageOf(e));
    }
  }

  /** Starts member {@code index} as a child deployment under its usual id. */
  private void start(int index) {
    FleetMember member = request.members().get(index);
    DeploymentRequest r = member.request();
    String id = DeploymentIds.workflowId(r.target(), r.service(), r.environment());
    DeploymentWorkflow child = Workflow.newChildWorkflowStub(DeploymentWorkflow.class,
        ChildWorkflowOptions.newBuilder()
            .setWorkflowId(id)
            .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
            // the fleet ending any other way (terminated) asks its members to cancel: they compensate
            .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
            .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
            .setTypedSearchAttributes(DeploymentAttributes.of(r, member.commit()))
            .setStaticSummary(DeploymentAttributes.summary(r, member.commit(), member.dirty()) + " — member "
                + (index + 1) + " of " + request.members().size() + " of " + Workflow.getInfo().getWorkflowId())
            .setStaticDetails(DeploymentAttributes.details(r))
            .build());
    Promise<DeploymentReport> result = Async.function(child::deploy, r);
    schedule.started(index);
    String at = now();
    members.set(index, member(index, FleetMemberState.RUNNING, null, "started", null, at, null));
    Workflow.getWorkflowExecution(child).handle((execution, failure) -> {
      if (execution != null && FleetMemberState.valueOf(members.get(index).state()) == FleetMemberState.RUNNING) {
        FleetMemberReport m = members.get(index);
        members.set(index, member(index, FleetMemberState.RUNNING, m.step(), "running", execution.getRunId(), at,
            null));
      }
      return null;
    });
    result.handle((report, failure) -> {
      ended.add(new Ended(index, report, failure));
      return null;
    });
    running.put(index, result);
  }

  /** Records every child that ended since the last look. */
  private void collectEnded() {
    while (!ended.isEmpty()) {
      Ended e = ended.poll();
      running.remove(e.index());
      endedThisRun++;
      FleetMemberReport outcome = outcomeOf(e);
      schedule.ended(e.index(), FleetMemberState.valueOf(outcome.state()));
      members.set(e.index(), outcome);
      if (outcome.state().equals(FleetMemberState.NEEDS_ATTENTION.name())) {
        actionsRequired.add(outcome.id() + ": a compensation did not complete; `flaredeploy status " + outcome.id()
            + "` says what to do");
      }
    }
  }

  private void skipUnreachable() {
    schedule.skipUnreachable().forEach((i, reason) -> members.set(i, ended(i, FleetMemberState.SKIPPED, null, reason)));
  }

  /** After a cancel: nothing more starts; the running members were asked to cancel and undo; wait for them. */
  private void windDown() {
    for (int i : schedule.skipPending()) {
      members.set(i, ended(i, FleetMemberState.SKIPPED, null, "not started: the fleet was cancelled"));
    }
    publish();
    while (!running.isEmpty()) {
      Workflow.await(() -> !ended.isEmpty());
      collectEnded();
      publish();
    }
  }

  private void continueAsNew() {
    List<FleetMemberReport> done = members.stream()
        .filter(m -> FleetMemberState.valueOf(m.state()).ended())
        .toList();
    FleetRequest next = new FleetRequest(request.selection(), request.target(), request.members(),
        request.options(), request.requestedBy(), done, startedAt, run + 1, checked, request.notifications());
    Workflow.newContinueAsNewStub(FleetWorkflow.class, ContinueAsNewOptions.newBuilder()
            .setTypedSearchAttributes(Workflow.getTypedSearchAttributes())
            .setMemo(Map.of(DeploymentAttributes.FLEET_MEMO, report(false)))
            .build())
        .deploy(next);
  }

  /** The fleet's end: its state from its members'; a fleet that did not succeed fails (or is cancelled). */
  private FleetReport finish(boolean cancelled) {
    boolean attention = members.stream().anyMatch(m -> m.state().equals(FleetMemberState.NEEDS_ATTENTION.name()));
    boolean allSucceeded = schedule.count(FleetMemberState.SUCCEEDED) == members.size();
    state = attention ? FleetState.NEEDS_ATTENTION
        : cancelled ? FleetState.CANCELLED
        : allSucceeded ? FleetState.SUCCEEDED
        : FleetState.FAILED;
    summary = switch (state) {
      case SUCCEEDED -> "every member succeeded: " + counts();
      case CANCELLED -> "cancelled; running members undid what they had changed: " + counts();
      case NEEDS_ATTENTION -> "a member's compensation did not complete, a person must act: " + counts();
      default -> (schedule.budgetSpent() ? "stopped: the failure budget (--max-failures "
          + request.options().maxFailures() + ") was spent: " : "not every member succeeded: ") + counts();
    };
    finishedAt = now();
    publish();
    Workflow.upsertTypedSearchAttributes(DeploymentAttributes.STATE.valueSet(state.name()));
    notifyOutcome();
    FleetReport report = report(true);
    if (state == FleetState.SUCCEEDED) {
      return report;
    }
    if (state == FleetState.CANCELLED) {
      throw new CanceledFailure(summary); // a cancelled run keeps no details: the query and the memo have it
    }
    throw ApplicationFailure.newNonRetryableFailure(state.name() + ": " + summary, FailureTypes.FLEET_FAILED, report);
  }

  /**
   * Sends the fleet's outcome to its own webhooks ({@link FleetRequest#notifications}) once its state is
   * published, from a detached scope, so that a cancelled fleet still says so. What was not delivered is a warning
   * of the report. The members sent their own events (waiting for approval among them) as single deployments do.
   */
  private void notifyOutcome() {
    if (request.notifications().isEmpty()
        || Workflow.getVersion(FLEET_NOTIFICATIONS, Workflow.DEFAULT_VERSION, 1) < 1) {
      return;
    }
    Notifier notifier = new Notifier(request.notifications());
    String event = Notifier.eventOf(DeploymentState.valueOf(state.name())); // a fleet ends as a deployment can
    String id = Workflow.getInfo().getWorkflowId();
    Workflow.newDetachedCancellationScope(() -> {
      notifier.send(event, namesOf(m -> m.request().service()), namesOf(m -> m.request().environment()),
          request.target(), state.name(), summary + notSucceeded(), null, "flaredeploy status '" + id + "'", null);
      warnings.addAll(notifier.drain());
    }).run();
    if (!warnings.isEmpty()) {
      publish();
    }
  }

  /** The members' distinct service (or environment) names, a few of them by name: "tenant-a, tenant-b, … (40)". */
  private String namesOf(java.util.function.Function<FleetMember, String> name) {
    List<String> distinct = request.members().stream().map(name).distinct().toList();
    return distinct.size() <= 5 ? String.join(", ", distinct)
        : String.join(", ", distinct.subList(0, 3)) + ", … (" + distinct.size() + ")";
  }

  /** "; not succeeded: hello-d1 (tenant-c) ROLLED_BACK, …" for a person reading the notification. */
  private String notSucceeded() {
    List<String> named = members.stream()
        .filter(m -> !m.state().equals(FleetMemberState.SUCCEEDED.name())
            && !m.state().equals(FleetMemberState.SKIPPED.name()))
        .map(m -> m.service() + " (" + m.environment() + ") " + m.state())
        .toList();
    if (named.isEmpty()) {
      return "";
    }
    return "; not succeeded: " + String.join(", ", named.subList(0, Math.min(5, named.size())))
        + (named.size() > 5 ? ", … (" + named.size() + ")" : "");
  }

  // ---- members' outcomes ----------------------------------------------------------------------------------

  private FleetMemberReport outcomeOf(Ended e) {
    int i = e.index();
    DeploymentReport report = e.report();
    if (report != null) {
      List<StepReport> steps = report.steps();
      String step = steps == null || steps.isEmpty() ? null : steps.get(steps.size() - 1).name();
      FleetMemberState s = report.state() == null ? FleetMemberState.SUCCEEDED : memberState(report.state());
      return ended(i, s, step, report.summary());
    }
    Throwable cause = e.failure() instanceof ChildWorkflowFailure c && c.getCause() != null ? c.getCause() : e.failure();
    if (cause instanceof ApplicationFailure af && FailureTypes.DEPLOYMENT_FAILED.equals(af.getType())) {
      FleetMemberState s = FleetMemberState.FAILED;
      try {
        s = memberState(af.getDetails().get(0, String.class));
      } catch (RuntimeException noState) {
        // an older deployment's failure: FAILED
      }
      String message = af.getOriginalMessage();
      String prefix = s.name() + ": ";
      return ended(i, s, null, message.startsWith(prefix) ? message.substring(prefix.length()) : message);
    }
    if (cause instanceof WorkflowExecutionAlreadyStarted) {
      return ended(i, FleetMemberState.FAILED, null, "not started: a deployment of this service and environment is "
          + "already running under " + members.get(i).id() + ", and was left alone");
    }
    if (cause instanceof CanceledFailure) {
      return ended(i, FleetMemberState.CANCELLED, null, "cancelled; what it had changed was undone");
    }
    if (cause instanceof TerminatedFailure || cause instanceof TimeoutFailure) {
      return ended(i, FleetMemberState.NEEDS_ATTENTION, null, "its run was "
          + (cause instanceof TerminatedFailure ? "terminated" : "timed out")
          + " outside flaredeploy before it finished; its compensations did not run");
    }
    return ended(i, FleetMemberState.FAILED, null, messageOf(cause));
  }

  private static FleetMemberState memberState(String deploymentState) {
    try {
      return FleetMemberState.valueOf(deploymentState);
    } catch (IllegalArgumentException unknown) {
      return FleetMemberState.FAILED;
    }
  }

  private FleetMemberReport ended(int index, FleetMemberState s, String step, String text) {
    FleetMemberReport m = members.get(index);
    return member(index, s, step, text, m.runId(), m.startedAt(),
        s == FleetMemberState.SKIPPED && m.startedAt() == null ? null : now());
  }

  private FleetMemberReport member(int index, FleetMemberState s, String step, String text, String runId,
      String started, String finished) {
    DeploymentRequest r = request.members().get(index).request();
    return new FleetMemberReport(index, DeploymentIds.workflowId(r.target(), r.service(), r.environment()),
        r.service(), r.environment(), s.name(), step, text, runId, started, finished);
  }

  // ---- the report -------------------------------------------------------------------------------------------

  private FleetReport report(boolean withMembers) {
    return new FleetReport(Workflow.getInfo().getWorkflowId(), Workflow.getInfo().getRunId(), request.selection(),
        request.target(), state.name(), summary, request.options(), members.size(),
        schedule.count(FleetMemberState.SUCCEEDED), schedule.failures(), schedule.count(FleetMemberState.RUNNING),
        schedule.count(FleetMemberState.SKIPPED), schedule.count(FleetMemberState.PENDING),
        withMembers ? List.copyOf(members) : List.of(), List.copyOf(actionsRequired), startedAt, finishedAt, run,
        List.copyOf(warnings));
  }

  /** The memo: the report without its members, and the UI's current details. */
  private void publish() {
    FleetReport small = report(false);
    Workflow.upsertMemo(Map.of(DeploymentAttributes.FLEET_MEMO, small));
    Workflow.setCurrentDetails(request.selection() + ": " + counts());
  }

  /** "5 members: 2 succeeded, 1 rolled back, 2 skipped". */
  private String counts() {
    Map<String, Integer> byState = new LinkedHashMap<>();
    for (FleetMemberState s : FleetMemberState.values()) {
      int n = schedule.count(s);
      if (n > 0) {
        byState.put(s.name().toLowerCase().replace('_', ' '), n);
      }
    }
    List<String> parts = new ArrayList<>();
    byState.forEach((s, n) -> parts.add(n + " " + s));
    return members.size() + " member" + (members.size() == 1 ? "" : "s") + ": " + String.join(", ", parts);
  }

  private String now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString();
  }
}
