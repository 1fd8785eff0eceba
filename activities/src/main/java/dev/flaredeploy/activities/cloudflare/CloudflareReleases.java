package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.activities.DeploymentTarget.UploadedVersion;
import dev.flaredeploy.activities.cloudflare.api.CloudflareApi.Deployment;
import dev.flaredeploy.activities.cloudflare.api.CloudflareApi.WorkerVersion;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.workflows.FailureTypes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Worker side of the Cloudflare target: what serves now (read directly from the Workers API: the
 * deployments, a version's tag), and putting releases live, which wrangler does best ({@code deploy},
 * {@code versions upload}, {@code versions deploy … --yes}, {@code rollback}). Every action looks at what
 * serves first and does nothing when it is already done; a version is tagged with the plan's source id, so
 * a retry finds what an earlier attempt uploaded.
 */
final class CloudflareReleases {
  /** The request header that sends a request to one version of a Worker in its current deployment. */
  static final String VERSION_OVERRIDES = "Cloudflare-Workers-Version-Overrides";

  private final CloudflareWrangler wrangler;

  CloudflareReleases(CloudflareWrangler wrangler) {
    this.wrangler = wrangler;
  }

  /** What serves now: whether the Worker exists, and its latest deployment's split (if it has one). */
  record Live(boolean workerExists, Optional<TrafficSplit> split) {}

  /** One {@code GET …/deployments}: the newest deployment is what serves. */
  Live live(CloudflareProject project, Tick tick) {
    Optional<List<Deployment>> deployments =
        project.api().deployments(project.accountId(tick), project.workerName(), tick);
    if (deployments.isEmpty()) {
      return new Live(false, Optional.empty());
    }
    return new Live(true, deployments.get().stream().findFirst().map(TrafficSplit::of));
  }

  /** The version with all the traffic, or the largest share during a split; empty when nothing serves. */
  Optional<String> liveRelease(CloudflareProject project, Tick tick) {
    return live(project, tick).split().flatMap(TrafficSplit::largestShare);
  }

  /** The tag (source id) of the live version: {@code GET …/deployments}, then {@code GET …/versions/<id>}. */
  Optional<String> liveSource(CloudflareProject project, Tick tick) {
    Optional<String> live = liveRelease(project, tick);
    if (live.isEmpty()) {
      return Optional.empty();
    }
    WorkerVersion version = project.api().version(project.accountId(tick), project.workerName(), live.get(), tick);
    return Optional.ofNullable(version.tag());
  }

  /**
   * Puts the plan's source live at 100 % and returns the Worker's URL.
   *
   * <ol>
   *   <li>What serves ({@code GET …/deployments}) and the versions tagged with the source id ({@code GET
   *       …/versions}): read directly.
   *   <li>The tagged version serves 100 % already: nothing to do.
   *   <li>An earlier attempt uploaded it: {@code wrangler versions deploy <id>@100 --yes}.
   *   <li>Otherwise {@code wrangler deploy --tag <source id>}: uploads and deploys in one process, creates
   *       the Worker when it does not exist yet, and applies the config's routes and triggers.
   * </ol>
   *
   * The URL is the one wrangler reports (the {@code deploy} event's target), else {@code
   * https://<worker>.workers.dev}.
   */
  String release(CloudflareProject project, Tick tick) {
    String tag = project.plan().source().id();
    String message = "flaredeploy " + tag;
    Live live = live(project, tick);
    Optional<String> tagged = live.workerExists() ? newestTagged(project, tag, tick) : Optional.empty();
    if (tagged.isPresent() && live.split().filter(s -> s.servesFully(tagged.get())).isPresent()) {
      return fallbackUrl(project);
    }
    if (tagged.isPresent()) {
      deployVersions(project, Map.of(tagged.get(), 100), message, tick);
      return fallbackUrl(project);
    }
    WranglerRun deploy = wrangler.run(project, tick, List.of("deploy", "--tag", tag, "--message", message));
    if (!deploy.succeeded()) {
      throw CloudflareWrangler.failure("deploy " + project.workerName(), deploy, FailureTypes.RELEASE_FAILED);
    }
    var event = deploy.event("deploy")
        .filter(e -> !e.path("version_id").asText("").isBlank())
        .orElseThrow(() -> CloudflareWrangler.unexpected(deploy,
            "a deploy event with a version_id in the output file"));
    for (var target : event.path("targets")) {
      if (target.asText("").startsWith("https://")) {
        return target.asText();
      }
    }
    return fallbackUrl(project);
  }

  /**
   * The first step of a gradual rollout: a version of the plan's source, uploaded without traffic (the
   * versions read directly, then {@code wrangler versions upload --tag <source id>} unless a version already
   * has that tag). Needs a Worker that exists: a first release has nothing to split traffic with and goes out
   * at once ({@link #release}).
   */
  UploadedVersion uploadVersion(CloudflareProject project, Tick tick) {
    String tag = project.plan().source().id();
    Optional<String> tagged = newestTagged(project, tag, tick);
    if (tagged.isPresent()) {
      return new UploadedVersion(tagged.get(), project.workerName(), fallbackUrl(project));
    }
    WranglerRun upload = wrangler.run(project, tick,
        List.of("versions", "upload", "--tag", tag, "--message", "flaredeploy " + tag));
    if (!upload.succeeded()) {
      throw CloudflareWrangler.failure("upload a version of " + project.workerName(), upload,
          FailureTypes.RELEASE_FAILED);
    }
    var event = upload.event("version-upload")
        .filter(e -> !e.path("version_id").asText("").isBlank())
        .orElseThrow(() -> CloudflareWrangler.unexpected(upload,
            "a version-upload event with a version_id in the output file"));
    return new UploadedVersion(event.path("version_id").asText(), project.workerName(),
        CloudflareOutput.workersDevUrl(event.path("preview_url").asText(null), project.workerName())
            .orElseGet(() -> fallbackUrl(project)));
  }

  /**
   * One traffic shift of a gradual rollout: {@code versions deploy <id>@<percent> <previous>@<rest> --yes}
   * ({@code <id>@100} alone at 100 %), after the deployments showed that split is not serving yet. At 0 %
   * the new version is in the deployment without traffic, which is what lets a version override reach it.
   */
  String shiftTraffic(CloudflareProject project, String versionId, String previousVersionId, int percent, Tick tick) {
    Map<String, Integer> wanted = new LinkedHashMap<>();
    wanted.put(versionId, percent);
    if (percent < 100) {
      wanted.put(Objects.requireNonNull(previousVersionId, "previousVersionId"), 100 - percent);
    }
    Map<String, Double> shares = new LinkedHashMap<>();
    wanted.forEach((id, pct) -> shares.put(id, (double) pct));
    TrafficSplit target = new TrafficSplit(null, shares);
    Live live = live(project, tick);
    if (live.split().filter(s -> s.sameAs(target)).isPresent()) {
      return target.describe() + " already serves";
    }
    deployVersions(project, wanted, "flaredeploy " + project.plan().source().id() + ": " + percent + " %", tick);
    return target.describe() + " (was " + live.split().map(TrafficSplit::describe).orElse("nothing") + ")";
  }

  /**
   * {@code Cloudflare-Workers-Version-Overrides: <worker>="<version id>"}: Cloudflare sends the request to
   * that version when it is in the current deployment, even at 0 %. (A version's preview URL would reach it
   * before any deployment, but only on workers.dev and not for Workers with Durable Objects; the override
   * works on routes and custom domains too.)
   */
  Map<String, String> versionHeaders(String workerName, String versionId) {
    return Map.of(VERSION_OVERRIDES, workerName + "=\"" + versionId + "\"");
  }

  /**
   * Puts {@code version} back to 100 % with {@code wrangler rollback}; nothing when it already serves 100 %.
   * D1 is not touched. {@code version == null} means nothing was live before this deployment: when the new
   * release serves, this throws a non-retryable {@code CompensationFailed} saying what a person can do; when
   * nothing serves, there is nothing to undo.
   */
  String rollback(CloudflareProject project, String version, Tick tick) {
    Live live = live(project, tick);
    if (version == null) {
      if (live.split().isEmpty()) {
        return "nothing to roll back: " + project.workerName()
            + (live.workerExists() ? " has no deployment" : " does not exist on Cloudflare");
      }
      throw new CloudflareException(FailureTypes.COMPENSATION_FAILED, false,
          "Cloudflare has nothing to roll back to: " + project.workerName()
              + " had no deployment before this one, and it now serves " + live.split().get().describe()
              + ". To take the new release out of service, deploy a version known to be good with `wrangler"
              + " versions deploy <version-id>@100 --yes" + project.envFlag() + "`, or remove the Worker with"
              + " `wrangler delete --name " + project.workerName() + "` (this also deletes its secrets)");
    }
    if (live.split().filter(s -> s.servesFully(version)).isPresent()) {
      return "version " + version + " of " + project.workerName() + " is live";
    }
    WranglerRun run = wrangler.run(project, tick, List.of(
        "rollback", version, "--message", "flaredeploy: roll back the release of " + project.plan().source().id()));
    if (!run.succeeded()) {
      throw CloudflareWrangler.failure("roll " + project.workerName() + " back to version " + version, run,
          FailureTypes.WRANGLER_FAILED);
    }
    return "version " + version + " of " + project.workerName() + " serves 100 % again"
        + " (was " + live.split().map(TrafficSplit::describe).orElse("nothing") + ")";
  }

  /** The Worker's secret names ({@code GET …/secrets}); none when the Worker does not exist yet. */
  List<String> secretNames(CloudflareProject project, Tick tick) {
    return project.api().secretNames(project.accountId(tick), project.workerName(), tick).orElse(List.of());
  }

  // ---- helpers ----

  /** {@code wrangler versions deploy <id>@<pct>… --yes --message <m>}, checked against what it printed. */
  private void deployVersions(CloudflareProject project, Map<String, Integer> split, String message, Tick tick) {
    List<String> args = new ArrayList<>(List.of("versions", "deploy"));
    split.forEach((id, pct) -> args.add(id + "@" + pct));
    args.addAll(List.of("--yes", "--message", message));
    WranglerRun deploy = wrangler.run(project, tick, args);
    Map.Entry<String, Integer> first = split.entrySet().iterator().next();
    if (!deploy.succeeded()) {
      throw CloudflareWrangler.failure("give version " + first.getKey() + " of " + project.workerName() + " "
          + first.getValue() + " % of the traffic", deploy, FailureTypes.RELEASE_FAILED);
    }
    if (!deploy.stdout().contains("Deployed " + project.workerName() + " version " + first.getKey() + " at "
        + first.getValue() + "%")) {
      throw new CloudflareException(FailureTypes.RELEASE_FAILED, true,
          "wrangler versions deploy exited 0 but did not report deploying " + first.getKey() + " at "
              + first.getValue() + " %: " + CloudflareWrangler.abbreviate(deploy.stdout()));
    }
  }

  /** The newest version tagged {@code tag}, read directly ({@code GET …/versions?deployable=true}). */
  private Optional<String> newestTagged(CloudflareProject project, String tag, Tick tick) {
    List<WorkerVersion> versions = project.api().versions(project.accountId(tick), project.workerName(), tick)
        .orElse(List.of());
    WorkerVersion newest = null;
    for (WorkerVersion version : versions) {
      if (tag.equals(version.tag())
          && (newest == null || version.createdOn().compareTo(newest.createdOn()) >= 0)) {
        newest = version;
      }
    }
    return Optional.ofNullable(newest).map(WorkerVersion::id).filter(id -> !id.isBlank());
  }

  private static String fallbackUrl(CloudflareProject project) {
    return "https://" + project.workerName() + ".workers.dev";
  }
}
