package dev.flaredeploy.worker;

import dev.flaredeploy.workflows.DeploymentAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates flaredeploy's search attributes on a namespace (they must exist before a deployment starts).
 * Idempotent; on servers where this client may not create them (Temporal Cloud), says how to.
 */
public final class SearchAttributeSetup {
  private static final Logger log = LoggerFactory.getLogger(SearchAttributeSetup.class);

  private SearchAttributeSetup() {}

  /** Returns true when the attributes exist (created now or before). */
  public static boolean ensure(WorkflowServiceStubs stubs, String namespace) {
    OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
        OperatorServiceStubsOptions.newBuilder()
            .setChannel(stubs.getRawChannel())
            .validateAndBuildWithDefaults());
    AddSearchAttributesRequest.Builder request = AddSearchAttributesRequest.newBuilder().setNamespace(namespace);
    DeploymentAttributes.ALL.forEach(
        key -> request.putSearchAttributes(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    try {
      operator.blockingStub().addSearchAttributes(request.build());
      return true;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS) {
        return true;
      }
      log.warn("could not create flaredeploy's search attributes on namespace {} ({}); create them with: "
              + "temporal operator search-attribute create --name <NAME> --type Keyword, for {}",
          namespace, e.getStatus().getCode(),
          DeploymentAttributes.ALL.stream().map(k -> k.getName()).toList());
      return false;
    } finally {
      operator.shutdownNow();
    }
  }
}
