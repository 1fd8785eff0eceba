package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * A fleet run as a person sees it: the {@code progress} query's answer, the run's result (or its failure's
 * details), and the CLI's {@code --output json}. The memo holds the same record with {@code members} empty: the
 * counts a list needs, small however large the fleet.
 *
 * @param id the fleet id ({@code fleet:…}, see {@code FleetIds})
 * @param runId the fleet's current run (a large fleet continues as new: each run has its own)
 * @param state one of {@link FleetState}
 * @param failed members that count against the failure budget (rolled back, failed, cancelled, needs attention)
 * @param members every member in order; empty in the memo
 * @param actionsRequired what a person must do (members that need attention)
 * @param runs how many Temporal runs the fleet took so far (it continues as new to keep each history small)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FleetReport(
    String id,
    String runId,
    String selection,
    String target,
    String state,
    String summary,
    FleetOptions options,
    int total,
    int succeeded,
    int failed,
    int running,
    int skipped,
    int pending,
    List<FleetMemberReport> members,
    List<String> actionsRequired,
    String startedAt,
    String finishedAt,
    int runs) {

  /** The same report without its members: what the memo carries. */
  public FleetReport withoutMembers() {
    return new FleetReport(id, runId, selection, target, state, summary, options, total, succeeded, failed, running,
        skipped, pending, List.of(), actionsRequired, startedAt, finishedAt, runs);
  }

  /** The same report with {@code members} in place of its own. */
  public FleetReport withMembers(List<FleetMemberReport> replaced) {
    return new FleetReport(id, runId, selection, target, state, summary, options, total, succeeded, failed, running,
        skipped, pending, List.copyOf(replaced), actionsRequired, startedAt, finishedAt, runs);
  }
}
