package dev.flaredeploy.workflows.internal;

import dev.flaredeploy.workflows.model.ApprovalReport;
import dev.flaredeploy.workflows.model.CheckResult;
import dev.flaredeploy.workflows.model.DatabaseReport;
import dev.flaredeploy.workflows.model.DeploymentReport;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.DeploymentState;
import dev.flaredeploy.workflows.model.ErrorReport;
import dev.flaredeploy.workflows.model.ReleaseReport;
import dev.flaredeploy.workflows.model.RolloutReport;
import dev.flaredeploy.workflows.model.RolloutStepReport;
import dev.flaredeploy.workflows.model.StepReport;
import dev.flaredeploy.workflows.model.StepState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The mutable state behind a {@link DeploymentReport}, kept by the workflow. Deterministic: time comes
 * from the clock it is given (the workflow's).
 */
public final class ReportBuilder {
  private final LongSupplier clock;
  private final String id;
  private final String runId;
  private final DeploymentRequest request;
  private final String startedAt;
  private final List<StepReport> steps = new ArrayList<>();
  private final Map<String, DatabaseReport> databases = new LinkedHashMap<>();
  private final List<String> actionsRequired = new ArrayList<>();
  private String commit;
  private boolean dirty;
  private String source;
  private DeploymentState state = DeploymentState.RUNNING;
  private String summary = "started";
  private ReleaseReport release;
  private String rolloutVersion;
  private String rolloutPrevious;
  private String rolloutNote;
  private List<RolloutStepReport> rolloutSteps;
  private ErrorReport error;
  private String finishedAt;
  private List<CheckResult> checks;
  private ApprovalReport approval;
  private final List<String> warnings = new ArrayList<>();

  public ReportBuilder(LongSupplier clock, String id, String runId, DeploymentRequest request) {
    this.clock = clock;
    this.id = id;
    this.runId = runId;
    this.request = request;
    this.commit = request.commit();
    this.startedAt = now();
  }

  public String now() {
    return Instant.ofEpochMilli(clock.getAsLong()).toString();
  }

  /** Adds a RUNNING step; returns its index for {@link #finishStep}. */
  public int startStep(String name, String detail) {
    steps.add(new StepReport(name, StepState.RUNNING.name(), 0, now(), null, detail));
    return steps.size() - 1;
  }

  public void finishStep(int index, StepState stepState, int attempts, String detail) {
    StepReport s = steps.get(index);
    steps.set(index, new StepReport(s.name(), stepState.name(), attempts, s.startedAt(), now(), detail));
  }

  /** A step that was decided without running (e.g. nothing to migrate). */
  public void skippedStep(String name, String detail) {
    String at = now();
    steps.add(new StepReport(name, StepState.SKIPPED.name(), 0, at, at, detail));
  }

  /** True when a step named {@code name} ended in {@code state}. */
  public boolean anyStep(String name, StepState state) {
    return steps.stream().anyMatch(s -> s.name().equals(name) && s.state().equals(state.name()));
  }

  public void source(String sourceId, String commit, boolean dirty) {
    this.source = sourceId;
    this.commit = commit;
    this.dirty = dirty;
  }

  public void database(String binding, List<String> pending) {
    databases.put(binding, new DatabaseReport(binding, List.copyOf(pending), List.of(), null));
  }

  /** @param export path of the SQL export kept with the restore point, or null */
  public void checkpoint(String binding, String location, String export) {
    DatabaseReport d = databases.get(binding);
    if (d != null) {
      databases.put(binding, new DatabaseReport(binding, d.pending(), d.applied(), location, export));
    }
  }

  public void applied(String binding, List<String> applied) {
    DatabaseReport d = databases.get(binding);
    if (d != null) {
      databases.put(binding,
          new DatabaseReport(binding, d.pending(), List.copyOf(applied), d.checkpoint(), d.export()));
    }
  }

  /** After a restore the database holds none of what this deployment applied. */
  public void restored(String binding) {
    applied(binding, List.of());
  }

  public void release(String version, String previousVersion, String url) {
    release = new ReleaseReport(version, previousVersion, url, null);
  }

  /** A {@code [rollout]} is configured: how the release goes out ({@code note}), steps to follow. */
  public void rollout(String versionId, String previousVersionId, String note) {
    rolloutVersion = versionId;
    rolloutPrevious = previousVersionId;
    rolloutNote = note;
    if (rolloutSteps == null) {
      rolloutSteps = new ArrayList<>();
    }
  }

  /** Adds a rollout step; returns its index for {@link #finishRolloutStep}. */
  public int rolloutStep(int percent, long soakMillis, String result, String detail) {
    if (rolloutSteps == null) {
      rolloutSteps = new ArrayList<>();
    }
    rolloutSteps.add(new RolloutStepReport(percent, soakMillis, result, detail));
    return rolloutSteps.size() - 1;
  }

  public void finishRolloutStep(int index, String result, String detail) {
    RolloutStepReport s = rolloutSteps.get(index);
    rolloutSteps.set(index, new RolloutStepReport(s.percent(), s.soakMillis(), result, detail));
  }

  /** Rollout steps still RUNNING or PENDING end with {@code result} (a failure or cancel stopped them). */
  public void stopRollout(String result, String detail) {
    if (rolloutSteps == null) {
      return;
    }
    for (int i = 0; i < rolloutSteps.size(); i++) {
      RolloutStepReport s = rolloutSteps.get(i);
      if (s.result().equals("RUNNING")) {
        rolloutSteps.set(i, new RolloutStepReport(s.percent(), s.soakMillis(), result, detail));
      } else if (s.result().equals("PENDING")) {
        rolloutSteps.set(i, new RolloutStepReport(s.percent(), s.soakMillis(), "NOT_RUN", "not reached"));
      }
    }
  }

  private ReleaseReport releaseReport() {
    if (rolloutSteps == null) {
      return release;
    }
    RolloutReport rollout = new RolloutReport(rolloutVersion, rolloutPrevious, rolloutNote, List.copyOf(rolloutSteps));
    return release == null
        ? new ReleaseReport(null, rolloutPrevious, null, rollout)
        : new ReleaseReport(release.version(), release.previousVersion(), release.url(), rollout);
  }

  /** The pre-deploy checks' results; the report keeps what warned or blocked ({@link CheckResult#worthReporting}). */
  public void checks(List<CheckResult> results) {
    checks = results == null ? null : CheckResult.worthReporting(results);
  }

  public void error(String step, String type, String message) {
    error = new ErrorReport(step, type, message);
  }

  public void actionRequired(String action) {
    actionsRequired.add(action);
  }

  public boolean hasActionsRequired() {
    return !actionsRequired.isEmpty();
  }

  /** The approval gate as it stands; the run waits for an approval while its state says so. */
  public void approval(ApprovalReport gate) {
    approval = gate;
  }

  /** The run is waiting (or no longer waiting) for an approval; {@code why} becomes the summary. */
  public void waiting(boolean waiting, String why) {
    state = waiting ? DeploymentState.WAITING_FOR_APPROVAL : DeploymentState.RUNNING;
    summary = why;
  }

  /** Something went wrong without changing the outcome (a notification that was not delivered). */
  public void warning(String warning) {
    warnings.add(warning);
  }

  public void finish(DeploymentState finalState, String finalSummary) {
    state = finalState;
    summary = finalSummary;
    finishedAt = now();
  }

  public DeploymentState state() {
    return state;
  }

  public DeploymentReport build() {
    return new DeploymentReport(
        id,
        runId,
        request.service(),
        request.environment(),
        request.target(),
        commit,
        dirty,
        source,
        state.name(),
        summary,
        List.copyOf(steps),
        List.copyOf(databases.values()),
        releaseReport(),
        error,
        List.copyOf(actionsRequired),
        startedAt,
        finishedAt,
        request.overrides() == null ? List.of() : List.copyOf(request.overrides()),
        checks,
        approval,
        warnings.isEmpty() ? null : List.copyOf(warnings));
  }
}
