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
    boolean checked) {}
