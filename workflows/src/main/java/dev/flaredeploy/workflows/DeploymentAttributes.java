package dev.flaredeploy.workflows;

import io.temporal.common.SearchAttributeKey;
import java.util.List;

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

  private DeploymentAttributes() {}
}
