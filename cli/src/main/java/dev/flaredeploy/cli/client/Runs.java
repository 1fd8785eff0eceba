package dev.flaredeploy.cli.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.Payload;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
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
   * Recent runs of one workflow type, newest first: through a visibility query where the server has them, else
   * (the Java test server) through the legacy open/closed listings, each run then described (those listings
   * carry no memo there).
   *
   * @param query the visibility query
   * @param keep which workflow ids the legacy listings keep (the query filters on a real server; the test server's
   *     listings hold every workflow type)
   */
  static <T> List<T> list(WorkflowClient client, WorkflowServiceStubs stubs, String workflowType, String query,
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
    WorkflowTypeFilter type = WorkflowTypeFilter.newBuilder().setName(workflowType).build();
    List<WorkflowExecutionInfo> infos = new ArrayList<>();
    infos.addAll(stubs.blockingStub().listOpenWorkflowExecutions(ListOpenWorkflowExecutionsRequest.newBuilder()
        .setNamespace(namespace).setTypeFilter(type).setMaximumPageSize(1000).build()).getExecutionsList());
    infos.addAll(stubs.blockingStub().listClosedWorkflowExecutions(ListClosedWorkflowExecutionsRequest.newBuilder()
        .setNamespace(namespace).setTypeFilter(type).setMaximumPageSize(1000).build()).getExecutionsList());
    return infos.stream()
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
