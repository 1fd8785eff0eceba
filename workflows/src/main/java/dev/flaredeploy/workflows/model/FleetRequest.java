package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What the CLI asks of a fleet run: deploy these members, in this order, in waves. Holds no secret.
 *
 * <p>A run that continues as new passes the same request on with {@code finished}, {@code startedAt}, {@code run}
 * and {@code checked} filled in, so the next run knows what the earlier ones did.
 *
 * @param selection the selection as the command line gave it ({@code hello-d1 --env tenant-*}), for summaries
 * @param target {@code local} or {@code cloudflare}: every member's
 * @param members in the order they deploy (directories as given, environments in wrangler config order, a Worker
 *     after the Workers it binds)
 * @param requestedBy who asked (user@host)
 * @param finished members that ended in earlier runs of this fleet; null or empty on the first run
 * @param startedAt when the first run started (ISO-8601); null on the first run
 * @param run which run this is (1 for the first; 0 means 1)
 * @param checked {@code allOrNothing} checks already passed in an earlier run
 * @param notifications where the fleet sends its own outcome: the top-level {@code [[notify]]} of its projects (names of
 *     the worker's environment variables, never a URL); null or empty: nowhere. Each member sends its own events to
 *     its environment's webhooks as a single deployment does
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FleetRequest(
    String selection,
    String target,
    List<FleetMember> members,
    FleetOptions options,
    String requestedBy,
    List<FleetMemberReport> finished,
    String startedAt,
    int run,
    boolean checked,
    List<NotifyTarget> notifications) {

  public FleetRequest {
    notifications = notifications == null ? List.of() : List.copyOf(notifications);
  }

  /** A request without notifications (as fleets were started before they had any). */
  public FleetRequest(String selection, String target, List<FleetMember> members, FleetOptions options,
      String requestedBy, List<FleetMemberReport> finished, String startedAt, int run, boolean checked) {
    this(selection, target, members, options, requestedBy, finished, startedAt, run, checked, null);
  }
}
