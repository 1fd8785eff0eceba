package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The run as a person sees it: the query result while it runs, the memo and result once it ended, and
 * the CLI's {@code --output json}.
 *
 * @param state RUNNING, WAITING_FOR_APPROVAL, SUCCEEDED, ROLLED_BACK, CANCELLED, NEEDS_ATTENTION, FAILED,
 *     REJECTED or APPROVAL_EXPIRED (see {@link DeploymentState})
 * @param actionsRequired what a person must do when state is NEEDS_ATTENTION
 * @param overrides the policy rules this deployment was told to let through, with the reasons given
 * @param checks the pre-deploy checks that warned or blocked, with their warnings and errors
 *     ({@link CheckResult#worthReporting}); null in reports recorded before it was added
 * @param approval the approval gate: what waits or was approved, by whom, when, with which digest and reason;
 *     null when the environment needs none (and in reports recorded before it was added)
 * @param warnings what went wrong without changing the outcome (a notification that could not be
 *     delivered); null or empty when nothing
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DeploymentReport(
    String id,
    String runId,
    String service,
    String environment,
    String target,
    String commit,
    boolean dirty,
    String source,
    String state,
    String summary,
    List<StepReport> steps,
    List<DatabaseReport> databases,
    ReleaseReport release,
    ErrorReport error,
    List<String> actionsRequired,
    String startedAt,
    String finishedAt,
    List<PolicyOverride> overrides,
    List<CheckResult> checks,
    ApprovalReport approval,
    List<String> warnings) {
}
