package dev.flaredeploy.workflows;

import dev.flaredeploy.workflows.model.DeploymentRequest;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Search attributes (all Keyword) and memo keys that make deployments findable in the Temporal UI. They
 * must exist on the namespace: the worker, the dev server and docker-compose create them.
 */
public final class DeploymentAttributes {
  public static final SearchAttributeKey<String> SERVICE =
      SearchAttributeKey.forKeyword("FlaredeployService");
  public static final SearchAttributeKey<String> ENVIRONMENT =
      SearchAttributeKey.forKeyword("FlaredeployEnvironment");
  public static final SearchAttributeKey<String> TARGET =
      SearchAttributeKey.forKeyword("FlaredeployTarget");
  public static final SearchAttributeKey<String> COMMIT =
      SearchAttributeKey.forKeyword("FlaredeployCommit");
  public static final SearchAttributeKey<String> STATE =
      SearchAttributeKey.forKeyword("FlaredeployState");

  public static final List<SearchAttributeKey<String>> ALL =
      List.of(SERVICE, ENVIRONMENT, TARGET, COMMIT, STATE);

  /** Memo key holding the latest {@code DeploymentReport}; readable without a worker. */
  public static final String REPORT_MEMO = "report";

  /** Memo key of a fleet run: its {@code FleetReport} without the members (the counts a list shows). */
  public static final String FLEET_MEMO = "fleet";

  /**
   * The search attributes a deployment starts with, alone or as a fleet member.
   *
   * @param commit the commit its source comes from, null outside git
   */
  public static SearchAttributes of(DeploymentRequest request, String commit) {
    SearchAttributes.Builder attributes = SearchAttributes.newBuilder(
        of(request.target(), request.service(), request.environment()));
    if (commit != null) {
      attributes.set(COMMIT, commit);
    }
    return attributes.build();
  }

  /**
   * The search attributes a run under a deployment id starts with (a deployment, or a rollback): its service,
   * environment and target, and the state RUNNING.
   */
  public static SearchAttributes of(String target, String service, String environment) {
    return SearchAttributes.newBuilder()
        .set(SERVICE, service)
        .set(ENVIRONMENT, environment)
        .set(TARGET, target)
        .set(STATE, "RUNNING")
        .build();
  }

  /** The one-line static summary of a deployment in the Temporal UI. */
  public static String summary(DeploymentRequest request, String commit, boolean dirty) {
    String source = commit == null ? "a directory outside git"
        : DeploymentIds.shortId(commit) + (dirty ? " (uncommitted changes)" : "");
    return "deploy " + request.service() + " (" + request.environment() + ") to " + request.target() + " from "
        + source;
  }

  /** The static details of a deployment in the Temporal UI: project, who asked, policy overrides. */
  public static String details(DeploymentRequest request) {
    return "project: " + request.projectDir() + "\nrequested by: " + request.requestedBy()
        + (request.overrides() == null ? "" : request.overrides().stream()
            .map(o -> "\npolicy override: " + o.rule() + " (" + o.reason() + ")")
            .collect(Collectors.joining()));
  }

  private DeploymentAttributes() {}
}
