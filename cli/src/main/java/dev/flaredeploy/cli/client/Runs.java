package dev.flaredeploy.cli.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.filter.v1.WorkflowTypeFilter;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Reading runs from Temporal, for deployments and fleets alike: describe, list, decode. */
final class Runs {
  private Runs() {}

  /** The run ({@code runId}) or the latest run (null) of {@code workflowId}, without a worker. */
  static WorkflowExecutionDescription describe(WorkflowClient client, String workflowId, String runId) {
    try {
      return client.newUntypedWorkflowStub(workflowId, Optional.ofNullable(runId), Optional.empty()).describe();
    } catch (WorkflowNotFoundException e) {
      throw new UnknownDeploymentException(workflowId);
    } catch (RuntimeException e) {
      if (rootCause(e) instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.NOT_FOUND) {
        throw new UnknownDeploymentException(workflowId);
      }
      throw e;
    }
  }

  /**
   * Follows the run {@code runId} (null: the latest) of {@code id} until it ends, through any continue-as-new,
   * calling {@code onChange} whenever its report changes. The report is read from the description (the memo), so
   * following needs no worker and survives a restart of the CLI.
   */
  static <T> T follow(WorkflowClient client, String id, String runId, Duration poll,
      Function<WorkflowExecutionDescription, T> report, Consumer<T> onChange) {
    T last = null;
    while (true) {
      WorkflowExecutionDescription description = describe(client, id, runId);
      T now = report.apply(description);
      if (!now.equals(last)) {
        onChange.accept(now);
        last = now;
      }
      if (description.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
          && description.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW) {
        return now;
      }
      sleep(poll);
    }
  }

  /**
   * Requests cancellation of the running run of {@code id}; returns its run id.
   *
   * @param endedState the state a run that already ended ended in, for the refusal
   * @throws IllegalStateException when nothing runs under {@code id}
   */
  static String cancel(WorkflowClient client, String id, String reason,
      Function<WorkflowExecutionDescription, String> endedState) {
    WorkflowExecutionDescription description = describe(client, id, null);
    if (description.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      throw new IllegalStateException(id + " is not running (its last run ended " + endedState.apply(description)
          + ")");
    }
    String runId = description.getExecution().getRunId();
    client.newUntypedWorkflowStub(id, Optional.of(runId), Optional.empty()).cancel(reason);
    return runId;
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Recent runs of one workflow type, newest first: through a visibility query where the server has them, else
   * (the Java test server) through the legacy open/closed listings, each run then described (those listings
   * carry no memo there).
   *
   * @param workflowTypes the types the legacy listings ask for, one listing each
   * @param query the visibility query
   * @param keep which workflow ids the legacy listings keep (the query filters on a real server; the test server's
   *     listings hold every workflow type)
   */
  static <T> List<T> list(WorkflowClient client, WorkflowServiceStubs stubs, List<String> workflowTypes, String query,
      Predicate<String> keep, int limit, Function<WorkflowExecutionMetadata, T> listed) {
    try {
      List<T> found = new ArrayList<>();
      try (Stream<WorkflowExecutionMetadata> runs = client.listExecutions(query)) {
        runs.sorted(Comparator.comparing(WorkflowExecutionMetadata::getStartTime).reversed())
            .limit(limit)
            .forEach(run -> found.add(listed.apply(run)));
      }
      return found;
    } catch (RuntimeException e) {
      if (!(rootCause(e) instanceof StatusRuntimeException s) || s.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
        throw e;
      }
    }
    String namespace = client.getOptions().getNamespace();
    Map<String, WorkflowExecutionInfo> byRun = new LinkedHashMap<>();
    for (String workflowType : workflowTypes) {
      WorkflowTypeFilter type = WorkflowTypeFilter.newBuilder().setName(workflowType).build();
      List<WorkflowExecutionInfo> infos = new ArrayList<>();
      infos.addAll(stubs.blockingStub().listOpenWorkflowExecutions(ListOpenWorkflowExecutionsRequest.newBuilder()
          .setNamespace(namespace).setTypeFilter(type).setMaximumPageSize(1000).build()).getExecutionsList());
      infos.addAll(stubs.blockingStub().listClosedWorkflowExecutions(ListClosedWorkflowExecutionsRequest.newBuilder()
          .setNamespace(namespace).setTypeFilter(type).setMaximumPageSize(1000).build()).getExecutionsList());
      infos.forEach(info -> byRun.putIfAbsent(info.getExecution().getRunId(), info));
    }
    return byRun.values().stream()
        .filter(info -> keep.test(info.getExecution().getWorkflowId()))
        .sorted(Comparator.comparingLong((WorkflowExecutionInfo info) -> info.getStartTime().getSeconds()).reversed())
        .limit(limit)
        .map(info -> listed.apply(describe(client, info.getExecution().getWorkflowId(), info.getExecution().getRunId())))
        .toList();
  }

  static <T> T decode(Payload payload, Class<T> type) {
    return DefaultDataConverter.newDefaultInstance().fromPayload(payload, type, type);
  }

  /** A value for a visibility query's string literal. */
  static String quote(String value) {
    return value.replace("'", "");
  }

  static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }
}
