package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.activities.DeploymentTarget;
import dev.flaredeploy.activities.ExportFailedException;
import dev.flaredeploy.activities.PreflightReport;
import dev.flaredeploy.activities.cloudflare.CloudflareOutput.MigrationError;
import dev.flaredeploy.activities.cloudflare.CloudflareOutput.TrafficSplit;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.config.WranglerAccountId;
import dev.flaredeploy.activities.local.LocalWorkspace;
import dev.flaredeploy.activities.local.MigrationFailedException;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.process.Wrangler;
import dev.flaredeploy.activities.source.SourceSnapshots;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.MigrationFile;
import dev.flaredeploy.workflows.model.RestorePoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The Cloudflare target: D1 through {@code wrangler d1 … --remote}, restore points as D1 Time Travel
 * bookmarks, releases as Worker versions ({@code versions upload} + {@code versions deploy <id>@100}),
 * rollbacks with {@code wrangler rollback}. wrangler always runs in the pinned source with {@code -c
 * <absolute config>} and {@code --env <name>} unless the environment is {@code default}.
 *
 * <p>Credentials are the worker's own {@code CLOUDFLARE_API_TOKEN} / {@code CLOUDFLARE_ACCOUNT_ID}
 * ({@link CloudflareCredentials}); without a token every method fails with {@link
 * FailureTypes#CREDENTIALS_MISSING} before running anything. Everything wrangler prints is scrubbed of the
 * token ({@link SecretScrubber}) before it reaches a result or an exception message.
 *
 * <p>Every method looks before it acts and may be retried: {@link #applyMigrations} applies only what the
 * ledger lacks; {@link #release} reuses the version it tagged with the source id and does nothing when
 * that version already serves all traffic; {@link #rollback} does nothing when the version is already
 * live; {@link #restore} to the same bookmark twice leaves the same data.
 *
 * <p>Failures: {@link MigrationFailedException} when D1 rejects a migration's SQL; {@link
 * CloudflareException} otherwise, typed ({@code CredentialsMissing}, {@code ConfigInvalid}, {@code
 * ReleaseFailed}, {@code WranglerFailed}, {@code CompensationFailed}) and marked retryable or not.
 *
 * <p>SQL exports ({@code d1 export --remote}: the shadow check and drift in validate-schema, and the
 * checkpoint's kept export with {@code [checkpoint] export = true}) are files under the flaredeploy home
 * ({@code FLAREDEPLOY_HOME} of {@code environment}): {@code cloudflare/<service>/<env>/checkpoints/<run
 * id>/<BINDING>.sql} for kept exports; validation exports are deleted once read.
 *
 * <p>The release version this target reports ({@link #liveRelease}) is Cloudflare's version id; the
 * source id is the version's tag ({@code annotations["workers/tag"]}), see {@link #liveSourceId}.
 */
public class CloudflareTarget implements DeploymentTarget {
  /** Generous: a remote migration is one {@code /query} of up to 30 s, an upload bundles first. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(10);

  /** Cloudflare API codes for "this Worker does not exist" (scripts, services). */
  private static final Set<Integer> WORKER_NOT_FOUND = Set.of(10007, 10090);
  /** The request header that sends a request to one version of a Worker in its current deployment. */
  public static final String VERSION_OVERRIDES = "Cloudflare-Workers-Version-Overrides";
  /** Cloudflare API codes for a token that is wrong or lacks a permission. */
  private static final Set<Integer> AUTH_REFUSED = Set.of(10000, 10001, 9106, 9109);
  /** What wrangler says, without an API error code, when the project's configuration is the problem. */
  private static final List<String> CONFIG_COMPLAINTS = List.of(
      "Couldn't find a D1 DB", "missing a database_id", "No environment found", "Unknown argument",
      "No configuration file", "You need to provide a name", "More than one account available",
      "Processing wrangler", "Required Worker name missing");

  private final SourceSnapshots sources;
  private final CloudflareCredentials credentials;
  private final CloudflareWrangler wrangler;
  private final ProjectConfigLoader configLoader = new ProjectConfigLoader();
  private final LocalWorkspace workspace;

  /**
   * @param environment the worker's environment ({@code System.getenv()}): where the credentials come
   *     from; a missing token is reported by the deployment that needs it, not here
   */
  public CloudflareTarget(Wrangler wrangler, SourceSnapshots sources, Map<String, String> environment) {
    this(wrangler, sources, environment, DEFAULT_COMMAND_TIMEOUT);
  }

  public CloudflareTarget(
      Wrangler wrangler, SourceSnapshots sources, Map<String, String> environment, Duration commandTimeout) {
    this.sources = Objects.requireNonNull(sources, "sources");
    this.credentials = CloudflareCredentials.from(environment);
    this.workspace = LocalWorkspace.fromEnvironment(environment);
    this.wrangler = new CloudflareWrangler(Objects.requireNonNull(wrangler, "wrangler"), credentials,
        Objects.requireNonNull(commandTimeout, "commandTimeout"));
  }

  // ---- DeploymentTarget ----

  /**
   * {@code d1 export <BINDING> --remote --output <file> -y}: D1's export API (polled until complete, then
   * downloaded from the signed URL it returns), read and deleted.
   *
   * @throws ExportFailedException when the export fails, e.g. for a database with virtual tables (FTS5),
   *     which D1 cannot export
   */
  @Override
  public Optional<String> databaseExport(DeploymentPlan plan, DatabasePlan database, Tick tick) {
    Project project = project(plan);
    Path dir = workspace.home().resolve("cloudflare").resolve(plan.service()).resolve(plan.environment())
        .resolve("validation");
    try {
      Files.createDirectories(dir);
      Path file = Files.createTempFile(dir, database.binding() + "-", ".sql");
      try {
        WranglerRun run = export(project, database, file, tick);
        if (!run.succeeded()) {
          throw new ExportFailedException("could not export the database (" + run.command() + ": "
              + run.complaint() + "; D1 cannot export databases with virtual tables such as FTS5)");
        }
        return Optional.of(Files.readString(file));
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not keep a temporary export under " + dir, e);
    }
  }

  /** Reads each binding's ledger with {@code d1 execute --remote --json}; a missing ledger table is empty. */
  @Override
  public List<DatabaseStatus> databases(DeploymentPlan plan, Tick tick) {
    Project project = project(plan);
    List<DatabaseStatus> statuses = new ArrayList<>();
    for (DatabasePlan db : plan.databases()) {
      List<String> applied = ledger(project, db, tick);
      statuses.add(new DatabaseStatus(db.binding(), applied, without(planned(db), applied)));
    }
    return statuses;
  }

  /** {@code d1 execute <BINDING> --remote --json --command <sql>}: one {@code /query}. */
  @Override
  public Optional<List<Map<String, String>>> queryTable(
      DeploymentPlan plan, DatabasePlan database, String table, String sql, Tick tick) {
    WranglerRun run = run(project(plan), tick, d1(database, "execute", "--remote", "--json", "--command", sql));
    if (run.succeeded()) {
      return Optional.of(CloudflareOutput.rows(run.stdout())
          .orElseThrow(() -> unexpected(run, "a JSON array of statement results")));
    }
    Optional<String> error = CloudflareOutput.executeError(run.stdout());
    if (error.isPresent() && CloudflareOutput.isMissingTable(error.get(), table)) {
      return Optional.empty();
    }
    throw failure("read " + table + " of " + database.binding(), run, FailureTypes.WRANGLER_FAILED);
  }

  /** {@code d1 execute <BINDING> --remote --json --command <sql>}: one {@code /query}, which D1 runs as a batch. */
  @Override
  public void executeBatch(DeploymentPlan plan, DatabasePlan database, String sql, Tick tick) {
    WranglerRun run = run(project(plan), tick, d1(database, "execute", "--remote", "--json", "--command", sql));
    if (!run.succeeded()) {
      throw failure("write flaredeploy's bookkeeping to " + database.binding(), run, FailureTypes.WRANGLER_FAILED);
    }
  }

  /**
   * The Cloudflare version id that serves all traffic ({@code deployments status --json}), or the one with
   * the largest share during a split; empty when the Worker does not exist or has no deployment.
   */
  @Override
  public Optional<String> liveRelease(DeploymentPlan plan) {
    return live(project(plan), Tick.NONE).split().flatMap(TrafficSplit::largestShare);
  }

  /**
   * A Time Travel bookmark per database ({@code d1 time-travel info --json}): where it is now. With {@code
   * plan.checkpointExport()} also an SQL export per database ({@code d1 export --remote}), kept as {@code
   * <home>/cloudflare/<service>/<env>/checkpoints/<runId>/<BINDING>.sql}; a retry keeps the export its first
   * attempt completed. An export that fails fails the checkpoint (not retried: nothing was changed, and D1
   * cannot export some databases at all, e.g. with FTS5 tables).
   */
  @Override
  public List<RestorePoint> checkpoint(DeploymentPlan plan, String runId, Tick tick) {
    Project project = project(plan);
    List<RestorePoint> points = new ArrayList<>();
    for (DatabasePlan db : plan.databases()) {
      WranglerRun run = run(project, tick, d1(db, "time-travel", "info", "--json"));
      if (!run.succeeded()) {
        throw failure("take a Time Travel bookmark of " + db.binding(), run, FailureTypes.WRANGLER_FAILED);
      }
      String bookmark = CloudflareOutput.bookmark(run.stdout())
          .orElseThrow(() -> unexpected(run, "a {\"bookmark\": …} object"));
      String export = plan.checkpointExport() ? keptExport(project, plan, db, runId, tick).toString() : null;
      points.add(new RestorePoint(db.binding(), bookmark, export));
    }
    return points;
  }

  private Path keptExport(Project project, DeploymentPlan plan, DatabasePlan db, String runId, Tick tick) {
    Path dir = checkpointsDir(plan).resolve(runId);
    Path kept = dir.resolve(db.binding() + ".sql");
    if (Files.isRegularFile(kept)) {
      return kept;
    }
    try {
      Files.createDirectories(dir);
      Path partial = dir.resolve(db.binding() + ".sql.partial");
      WranglerRun run = export(project, db, partial, tick);
      if (!run.succeeded()) {
        Files.deleteIfExists(partial);
        throw new CloudflareException(FailureTypes.WRANGLER_FAILED, false,
            "could not keep an SQL export of " + db.binding() + " with the checkpoint ([checkpoint] export = true): "
                + run.command() + ": " + run.complaint() + "; D1 cannot export databases with virtual tables such"
                + " as FTS5; nothing was changed. Deploy again, or set [checkpoint] export = false for this"
                + " environment to rely on the Time Travel bookmark alone");
      }
      Files.move(partial, kept, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return kept;
    } catch (IOException e) {
      throw new UncheckedIOException("could not keep the export of " + db.binding() + " in " + dir, e);
    }
  }

  /** Where kept checkpoint exports of this plan's service and environment go. */
  public Path checkpointsDir(DeploymentPlan plan) {
    return workspace.home().resolve("cloudflare").resolve(plan.service()).resolve(plan.environment())
        .resolve("checkpoints");
  }

  private WranglerRun export(Project project, DatabasePlan db, Path file, Tick tick) {
    return run(project, tick, d1(db, "export", "--remote", "--output", file.toAbsolutePath().toString(), "-y"));
  }

  /**
   * Applies the binding's pending migrations with {@code d1 migrations apply --remote} (one {@code /query}
   * per file: the file and its ledger row together) and returns the ledger afterwards. Does not run
   * wrangler when the ledger already lists every planned file.
   *
   * @throws MigrationFailedException when D1 rejects a file's SQL; the files before it stay applied
   */
  @Override
  public List<String> applyMigrations(DeploymentPlan plan, DatabasePlan database, Tick tick) {
    Project project = project(plan);
    List<String> before = ledger(project, database, tick);
    List<String> planned = planned(database);
    if (!planned.isEmpty() && before.containsAll(planned)) {
      return before;
    }
    WranglerRun run = run(project, tick, d1(database, "migrations", "apply", "--remote"));
    if (!run.succeeded()) {
      MigrationError error = CloudflareOutput.migrationError(run.stdout(), run.stderr())
          .orElseThrow(() -> failure("apply the migrations of " + database.binding(), run,
              FailureTypes.WRANGLER_FAILED));
      List<String> after = ledger(project, database, tick);
      if (error.isSqlError()) {
        throw new MigrationFailedException(
            database.binding(), error.file(), error.error(), after, without(after, before));
      }
      throw new CloudflareException(FailureTypes.WRANGLER_FAILED, true,
          "migration " + error.file() + " on " + database.binding() + " did not complete: " + error.error()
              + "; the ledger " + table(database) + " now lists " + describe(after)
              + "; a retry applies what is still pending");
    }
    List<String> after = ledger(project, database, tick);
    List<String> missing = without(planned, after);
    if (!missing.isEmpty()) {
      throw new CloudflareException(FailureTypes.WRANGLER_FAILED, true,
          "wrangler d1 migrations apply reported success on " + database.binding() + ", but the ledger "
              + table(database) + " lacks " + String.join(", ", missing)
              + " (does migrations_dir in the config match the plan's?)");
    }
    return after;
  }

  /**
   * Puts the plan's source live at 100 % and returns the Worker's URL.
   *
   * <ol>
   *   <li>{@code deployments status --json}: what serves now.
   *   <li>The Worker does not exist yet: {@code wrangler deploy --tag <source id>}, because {@code versions
   *       upload} cannot create a Worker (wrangler itself uploads a new Worker with {@code PUT
   *       /scripts/:name} and only uses the versions API for existing ones).
   *   <li>Otherwise {@code versions list --json}: the newest version tagged with the source id. If it
   *       already serves 100 %, nothing is done; if there is none, {@code versions upload --tag <source
   *       id>} makes it (version id and preview URL from the {@code version-upload} event); then {@code
   *       versions deploy <id>@100 --yes}.
   * </ol>
   *
   * The URL is the one wrangler reports (the {@code deploy} event's target, or the workers.dev URL the
   * version preview URL implies), else {@code https://<worker>.workers.dev}.
   */
  @Override
  public String release(DeploymentPlan plan, Tick tick) {
    Project project = project(plan);
    String tag = plan.source().id();
    String message = "flaredeploy " + tag;
    Live live = live(project, tick);
    if (!live.workerExists()) {
      return firstRelease(project, tag, message, tick);
    }
    WranglerRun list = run(project, tick, List.of("versions", "list", "--json"));
    if (!list.succeeded() || !CloudflareOutput.isJsonArray(list.stdout())) {
      throw list.succeeded()
          ? unexpected(list, "a JSON array of versions")
          : failure("list the versions of " + project.workerName(), list, FailureTypes.RELEASE_FAILED);
    }
    Optional<String> tagged = CloudflareOutput.newestTagged(list.stdout(), tag);
    if (tagged.isPresent() && live.split().filter(s -> s.servesFully(tagged.get())).isPresent()) {
      return fallbackUrl(project);
    }
    Uploaded uploaded = upload(project, tagged, tag, message, tick);
    String versionId = uploaded.versionId();
    String previewUrl = uploaded.previewUrl();
    WranglerRun deploy = run(project, tick,
        List.of("versions", "deploy", versionId + "@100", "--yes", "--message", message));
    if (!deploy.succeeded()) {
      throw failure("deploy version " + versionId + " of " + project.workerName() + " at 100 %", deploy,
          FailureTypes.RELEASE_FAILED);
    }
    if (!deploy.stdout().contains("Deployed " + project.workerName() + " version " + versionId + " at 100%")) {
      throw new CloudflareException(FailureTypes.RELEASE_FAILED, true,
          "wrangler versions deploy exited 0 but did not report deploying " + versionId + " at 100 %: "
              + abbreviate(deploy.stdout()));
    }
    return CloudflareOutput.workersDevUrl(previewUrl, project.workerName()).orElseGet(() -> fallbackUrl(project));
  }

  /** A version of the plan's source: uploaded now (with its preview URL, when wrangler printed one) or before. */
  private record Uploaded(String versionId, String previewUrl) {}

  /**
   * The version tagged with the source id, uploaded by an earlier attempt ({@code tagged}), or else a new one
   * ({@code versions upload --tag <source id>}; version id and preview URL from the {@code version-upload}
   * event).
   */
  private Uploaded upload(Project project, Optional<String> tagged, String tag, String message, Tick tick) {
    if (tagged.isPresent()) {
      return new Uploaded(tagged.get(), null); // uploaded by an earlier attempt: do not upload twice
    }
    WranglerRun upload = run(project, tick, List.of("versions", "upload", "--tag", tag, "--message", message));
    if (!upload.succeeded()) {
      throw failure("upload a version of " + project.workerName(), upload, FailureTypes.RELEASE_FAILED);
    }
    var event = upload.event("version-upload")
        .filter(e -> !e.path("version_id").asText("").isBlank())
        .orElseThrow(() -> unexpected(upload, "a version-upload event with a version_id in the output file"));
    return new Uploaded(event.path("version_id").asText(), event.path("preview_url").asText(null));
  }

  /**
   * The first step of a gradual rollout: a version of the plan's source, uploaded without traffic ({@code
   * versions list --json}, then {@code versions upload --tag <source id>} unless a version already has that
   * tag). Needs a Worker that exists: a first release has nothing to split traffic with and goes out at
   * once ({@link #release}).
   */
  @Override
  public UploadedVersion uploadVersion(DeploymentPlan plan, Tick tick) {
    Project project = project(plan);
    String tag = plan.source().id();
    WranglerRun list = run(project, tick, List.of("versions", "list", "--json"));
    if (!list.succeeded() || !CloudflareOutput.isJsonArray(list.stdout())) {
      throw list.succeeded()
          ? unexpected(list, "a JSON array of versions")
          : failure("list the versions of " + project.workerName(), list, FailureTypes.RELEASE_FAILED);
    }
    Uploaded uploaded = upload(project, CloudflareOutput.newestTagged(list.stdout(), tag), tag,
        "flaredeploy " + tag, tick);
    return new UploadedVersion(uploaded.versionId(), project.workerName(),
        CloudflareOutput.workersDevUrl(uploaded.previewUrl(), project.workerName())
            .orElseGet(() -> fallbackUrl(project)));
  }

  /**
   * One traffic shift of a gradual rollout: {@code versions deploy <id>@<percent> <previous>@<rest> --yes}
   * ({@code <id>@100} alone at 100 %), after {@code deployments status --json} showed that split is not
   * serving yet. At 0 % the new version is in the deployment without traffic, which is what lets a version
   * override reach it.
   */
  @Override
  public String shiftTraffic(
      DeploymentPlan plan, String versionId, String previousVersionId, int percent, Tick tick) {
    Project project = project(plan);
    Map<String, Double> wanted = new java.util.LinkedHashMap<>();
    wanted.put(versionId, (double) percent);
    if (percent < 100) {
      wanted.put(Objects.requireNonNull(previousVersionId, "previousVersionId"), 100.0 - percent);
    }
    TrafficSplit target = new TrafficSplit(null, wanted);
    Live live = live(project, tick);
    if (live.split().filter(s -> s.sameAs(target)).isPresent()) {
      return target.describe() + " already serves";
    }
    List<String> args = new ArrayList<>(List.of("versions", "deploy", versionId + "@" + percent));
    if (percent < 100) {
      args.add(previousVersionId + "@" + (100 - percent));
    }
    args.addAll(List.of("--yes", "--message", "flaredeploy " + plan.source().id() + ": " + percent + " %"));
    WranglerRun deploy = run(project, tick, args);
    if (!deploy.succeeded()) {
      throw failure("give version " + versionId + " of " + project.workerName() + " " + percent
          + " % of the traffic", deploy, FailureTypes.RELEASE_FAILED);
    }
    if (!deploy.stdout().contains("Deployed " + project.workerName() + " version " + versionId + " at " + percent
        + "%")) {
      throw new CloudflareException(FailureTypes.RELEASE_FAILED, true,
          "wrangler versions deploy exited 0 but did not report deploying " + versionId + " at " + percent
              + " %: " + abbreviate(deploy.stdout()));
    }
    return target.describe() + " (was " + live.split().map(TrafficSplit::describe).orElse("nothing") + ")";
  }

  /**
   * {@code Cloudflare-Workers-Version-Overrides: <worker>="<version id>"}: Cloudflare sends the request to
   * that version when it is in the current deployment, even at 0 %. (A version's preview URL would reach it
   * before any deployment, but only on workers.dev and not for Workers with Durable Objects; the override
   * works on routes and custom domains too.)
   */
  @Override
  public Map<String, String> versionHeaders(DeploymentPlan plan, String workerName, String versionId) {
    return Map.of(VERSION_OVERRIDES, workerName + "=\"" + versionId + "\"");
  }

  /**
   * Puts {@code version} (a Cloudflare version id, as {@link #liveRelease} reported it) back to 100 % with
   * {@code wrangler rollback}; nothing when it already serves 100 %. D1 is not touched (that is {@link
   * #restore}).
   *
   * <p>{@code version == null} means nothing was live before this deployment. Then there is nothing to roll
   * back to: when the new release does serve, this throws a non-retryable {@code CompensationFailed} that
   * says what a person can do; when nothing serves, there is nothing to undo.
   */
  @Override
  public String rollback(DeploymentPlan plan, String version, Tick tick) {
    Project project = project(plan);
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
              + " versions deploy <version-id>@100 --yes" + envFlag(project) + "`, or remove the Worker with"
              + " `wrangler delete --name " + project.workerName() + "` (this also deletes its secrets)");
    }
    if (live.split().filter(s -> s.servesFully(version)).isPresent()) {
      return "version " + version + " of " + project.workerName() + " is live";
    }
    WranglerRun run = run(project, tick, List.of(
        "rollback", version, "--message", "flaredeploy: roll back the release of " + plan.source().id()));
    if (!run.succeeded()) {
      throw failure("roll " + project.workerName() + " back to version " + version, run,
          FailureTypes.WRANGLER_FAILED);
    }
    return "version " + version + " of " + project.workerName() + " serves 100 % again"
        + " (was " + live.split().map(TrafficSplit::describe).orElse("nothing") + ")";
  }

  /**
   * Restores one database to its bookmark with {@code d1 time-travel restore --bookmark <b> --json} (no
   * prompt with --json). Time Travel reaches back 30 days (7 on the Workers Free plan).
   */
  @Override
  public String restore(DeploymentPlan plan, RestorePoint restorePoint, Tick tick) {
    Project project = project(plan);
    DatabasePlan db = plan.databases().stream()
        .filter(d -> d.binding().equals(restorePoint.binding()))
        .findFirst()
        .orElseThrow(() -> new CloudflareException(FailureTypes.CONFIG_INVALID, false,
            "the plan has no D1 binding " + restorePoint.binding() + " to restore"));
    String bookmark = restorePoint.location();
    WranglerRun run = run(project, tick, d1(db, "time-travel", "restore", "--bookmark", bookmark, "--json"));
    if (!run.succeeded()) {
      throw failure("restore " + db.binding() + " to bookmark " + bookmark
          + " (Time Travel reaches back 30 days, 7 on the Free plan)", run, FailureTypes.WRANGLER_FAILED);
    }
    var restored = CloudflareOutput.restored(run.stdout())
        .orElseThrow(() -> unexpected(run, "a {\"bookmark\": …, \"previous_bookmark\": …} object"));
    return "restored " + db.binding() + " to bookmark " + restored.bookmark()
        + (restored.previousBookmark() == null ? ""
            : "; to undo: wrangler d1 time-travel restore " + db.binding() + " --bookmark "
                + restored.previousBookmark() + envFlag(project));
  }

  // ---- beyond DeploymentTarget ----

  /**
   * The source id (tag) of the version that serves all traffic, or of the largest share: what the
   * workflow can compare with {@code plan.source().id()}. Empty when nothing serves or the version has no
   * tag. Reads {@code deployments status --json} and {@code versions list --json}.
   */
  public Optional<String> liveSourceId(DeploymentPlan plan, Tick tick) {
    return liveSource(plan, tick);
  }

  /** The live version's tag: see {@link #liveSourceId}. */
  @Override
  public Optional<String> liveSource(DeploymentPlan plan, Tick tick) {
    Project project = project(plan);
    Optional<String> live = live(project, tick).split().flatMap(TrafficSplit::largestShare);
    if (live.isEmpty()) {
      return Optional.empty();
    }
    WranglerRun view = run(project, tick, List.of("versions", "view", live.get(), "--json"));
    if (!view.succeeded()) {
      throw failure("read version " + live.get() + " of " + project.workerName(), view,
          FailureTypes.WRANGLER_FAILED);
    }
    return CloudflareOutput.tagOf(view.stdout());
  }

  /**
   * Checks, before anything changes, what a Cloudflare deployment of {@code plan} needs: every D1 binding
   * has a {@code database_id}; {@code account_id} in the config agrees with {@code CLOUDFLARE_ACCOUNT_ID}.
   * Changes nothing and calls nothing. (Required secrets are a policy rule, read with {@link #secretNames}.)
   *
   * @throws CloudflareException {@code CredentialsMissing} when there is no token: nothing else can be
   *     checked without it
   */
  @Override
  public PreflightReport preflight(DeploymentPlan plan, Tick tick) {
    Project project = project(plan);
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (DatabasePlan db : plan.databases()) {
      if (db.databaseId() == null || db.databaseId().isBlank()) {
        problems.add(missingDatabaseId(project, db));
      }
    }
    Optional<String> configAccount = WranglerAccountId.read(project.config(), project.environment());
    Optional<String> envAccount = credentials.accountId();
    boolean accountConflict =
        configAccount.isPresent() && envAccount.isPresent() && !configAccount.equals(envAccount);
    if (accountConflict) {
      problems.add("account_id in " + project.config().getFileName() + " is " + configAccount.get()
          + " but " + CloudflareCredentials.ACCOUNT_ID + " is " + envAccount.get()
          + "; wrangler uses the config's, so the worker's token would act on another account than it was"
          + " given for: make them agree, or remove account_id from the config");
    } else if (configAccount.isEmpty() && envAccount.isEmpty()) {
      warnings.add("neither account_id in " + project.config().getFileName() + " nor "
          + CloudflareCredentials.ACCOUNT_ID + " is set; wrangler asks Cloudflare which accounts the token"
          + " can use and fails when there is more than one: set " + CloudflareCredentials.ACCOUNT_ID);
    }
    return new PreflightReport(problems, warnings);
  }

  /**
   * {@code deploy --provision}: for each D1 binding without a {@code database_id}, the database named by its
   * {@code database_name}: found with {@code d1 list --json}, else created with {@code d1 create <name>}; with
   * the config entry to add ({@link ProvisionedDatabase#snippet}). Never edits a file: wrangler runs in the
   * pinned snapshot, with {@code --update-config=false}. Empty when every binding has an id. A retry finds
   * what an earlier attempt created.
   */
  public List<ProvisionedDatabase> provision(DeploymentPlan plan, Tick tick) {
    List<DatabasePlan> missing = plan.databases().stream()
        .filter(db -> db.databaseId() == null || db.databaseId().isBlank())
        .toList();
    if (missing.isEmpty()) {
      return List.of();
    }
    Project project = project(plan);
    WranglerRun list = run(project, tick, List.of("d1", "list", "--json"));
    if (!list.succeeded()) {
      throw failure("list the account's D1 databases", list, FailureTypes.WRANGLER_FAILED);
    }
    Map<String, String> existing = new LinkedHashMap<>(CloudflareOutput.databaseIds(list.stdout())
        .orElseThrow(() -> unexpected(list, "a JSON array of databases")));
    List<ProvisionedDatabase> provisioned = new ArrayList<>();
    for (DatabasePlan db : missing) {
      String name = db.databaseName();
      String id = existing.get(name);
      boolean created = false;
      if (id == null) {
        WranglerRun create = run(project, tick, List.of("d1", "create", name, "--update-config=false"));
        if (!create.succeeded()) {
          throw failure("create the D1 database " + name + " for binding " + db.binding(), create,
              FailureTypes.WRANGLER_FAILED);
        }
        id = CloudflareOutput.createdDatabaseId(create.stdout())
            .orElseThrow(() -> unexpected(create, "a config snippet with the new database_id"));
        existing.put(name, id);
        created = true;
      }
      provisioned.add(new ProvisionedDatabase(db.binding(), name, id, created,
          ConfigSnippet.of(plan.configFile(), plan.environment(), db, id)));
    }
    return provisioned;
  }

  /**
   * The Worker's secret names ({@code wrangler secret list --format json}); none when the Worker does not
   * exist yet.
   */
  @Override
  public List<String> secretNames(DeploymentPlan plan, Tick tick) {
    return secretNames(project(plan), tick).orElse(List.of());
  }

  /** The Worker's secret names, or empty when the Worker does not exist. */
  private Optional<List<String>> secretNames(Project project, Tick tick) {
    WranglerRun run = run(project, tick, List.of("secret", "list", "--format", "json"));
    if (run.succeeded()) {
      return Optional.of(CloudflareOutput.secretNames(run.stdout())
          .orElseThrow(() -> unexpected(run, "a JSON array of secrets")));
    }
    if (run.complaint().contains("not found")) {
      return Optional.empty();
    }
    throw failure("list the secrets of " + project.workerName(), run, FailureTypes.WRANGLER_FAILED);
  }

  // ---- helpers ----

  /** Where wrangler runs for a plan, and under which names. */
  private record Project(Path dir, Path config, String environment, String workerName) {}

  private Project project(DeploymentPlan plan) {
    credentials.requireToken();
    Path dir = sources.verified(plan.source());
    String workerName = configLoader.load(dir, plan.environment()).workerName();
    return new Project(dir, dir.resolve(plan.configFile()).toAbsolutePath().normalize(), plan.environment(),
        workerName);
  }

  /** What serves now: whether the Worker exists, and its latest deployment's split (if it has one). */
  private record Live(boolean workerExists, Optional<TrafficSplit> split) {}

  private Live live(Project project, Tick tick) {
    WranglerRun run = run(project, tick, List.of("deployments", "status", "--json"));
    if (run.succeeded()) {
      TrafficSplit split = CloudflareOutput.deployment(run.stdout())
          .orElseThrow(() -> unexpected(run, "a deployment object with versions"));
      return new Live(true, Optional.of(split));
    }
    if (run.errorCode().filter(WORKER_NOT_FOUND::contains).isPresent()) {
      return new Live(false, Optional.empty());
    }
    if (CloudflareOutput.hasNoDeployments(run.stderr())) {
      return new Live(true, Optional.empty());
    }
    throw failure("read what " + project.workerName() + " serves", run, FailureTypes.WRANGLER_FAILED);
  }

  private String firstRelease(Project project, String tag, String message, Tick tick) {
    WranglerRun deploy = run(project, tick, List.of("deploy", "--tag", tag, "--message", message));
    if (!deploy.succeeded()) {
      throw failure("create and deploy " + project.workerName(), deploy, FailureTypes.RELEASE_FAILED);
    }
    var event = deploy.event("deploy")
        .filter(e -> !e.path("version_id").asText("").isBlank())
        .orElseThrow(() -> unexpected(deploy, "a deploy event with a version_id in the output file"));
    for (var target : event.path("targets")) {
      if (target.asText("").startsWith("https://")) {
        return target.asText();
      }
    }
    return fallbackUrl(project);
  }

  private static String fallbackUrl(Project project) {
    return "https://" + project.workerName() + ".workers.dev";
  }

  private List<String> ledger(Project project, DatabasePlan db, Tick tick) {
    String table = table(db);
    WranglerRun run = run(project, tick, d1(db, "execute", "--remote", "--json", "--command",
        "SELECT name FROM " + quote(table) + " ORDER BY id"));
    if (run.succeeded()) {
      return CloudflareOutput.names(run.stdout())
          .orElseThrow(() -> unexpected(run, "a JSON array of statement results"));
    }
    Optional<String> error = CloudflareOutput.executeError(run.stdout());
    if (error.isPresent() && CloudflareOutput.isMissingTable(error.get(), table)) {
      return List.of(); // no ledger yet: nothing applied
    }
    throw failure("read the migrations ledger " + table + " of " + db.binding(), run,
        FailureTypes.WRANGLER_FAILED);
  }

  /** {@code d1 <command…> <BINDING> <flags…>}, after checking the binding can be used remotely. */
  private List<String> d1(DatabasePlan db, String... commandAndFlags) {
    if (db.databaseId() == null || db.databaseId().isBlank()) {
      throw new CloudflareException(FailureTypes.CONFIG_INVALID, false,
          "D1 binding " + db.binding() + " has no database_id, which the Cloudflare target needs");
    }
    List<String> args = new ArrayList<>();
    args.add("d1");
    int flags = 0;
    while (flags < commandAndFlags.length && !commandAndFlags[flags].startsWith("--")) {
      args.add(commandAndFlags[flags++]);
    }
    args.add(db.binding());
    for (int i = flags; i < commandAndFlags.length; i++) {
      args.add(commandAndFlags[i]);
    }
    return args;
  }

  /** Runs {@code wrangler <args> -c <config> [--env <environment>]} in the pinned source. */
  private WranglerRun run(Project project, Tick tick, List<String> args) {
    List<String> argv = new ArrayList<>(args);
    argv.addAll(List.of("-c", project.config().toString()));
    if (!ProjectConfigLoader.DEFAULT_ENVIRONMENT.equals(project.environment())) {
      argv.addAll(List.of("--env", project.environment()));
    }
    return wrangler.run(project.dir(), argv, tick);
  }

  /**
   * Turns a failed command into a typed failure: a refused token and a configuration problem cannot be
   * retried; an API or network error can (as {@code failureType}).
   */
  private static CloudflareException failure(String doing, WranglerRun run, String failureType) {
    String complaint = run.complaint();
    String message = run.command() + " failed while trying to " + doing + ": " + complaint;
    Optional<Integer> code = run.errorCode();
    if (code.filter(AUTH_REFUSED::contains).isPresent()) {
      return new CloudflareException(FailureTypes.CONFIG_INVALID, false, message
          + "; Cloudflare refused the request: check that " + CloudflareCredentials.TOKEN + " may edit Workers"
          + " and D1 on the account " + CloudflareCredentials.ACCOUNT_ID + " (or account_id) names");
    }
    if (code.isEmpty() && CONFIG_COMPLAINTS.stream().anyMatch(complaint::contains)) {
      return new CloudflareException(FailureTypes.CONFIG_INVALID, false, message);
    }
    return new CloudflareException(failureType, true, message);
  }

  private static CloudflareException unexpected(WranglerRun run, String expected) {
    return new CloudflareException(FailureTypes.WRANGLER_FAILED, true,
        run.command() + " exited " + run.result().exitCode() + " but printed no " + expected + ": "
            + abbreviate(run.stdout().isBlank() ? run.stderr() : run.stdout()));
  }

  private static String missingDatabaseId(Project project, DatabasePlan db) {
    return "D1 binding " + db.binding() + " has no database_id in " + project.config().getFileName()
        + (ProjectConfigLoader.DEFAULT_ENVIRONMENT.equals(project.environment()) ? ""
            : " [env." + project.environment() + "]")
        + "; add the id of the remote database (`wrangler d1 list`, or create it with `wrangler d1 create "
        + (db.databaseName() == null ? "<name>" : db.databaseName()) + "`), or let `flaredeploy deploy"
        + " --provision` find or create it and print the entry to add";
  }

  private static String envFlag(Project project) {
    return ProjectConfigLoader.DEFAULT_ENVIRONMENT.equals(project.environment())
        ? "" : " --env " + project.environment();
  }

  private static String table(DatabasePlan db) {
    String table = db.migrationsTable();
    return table == null || table.isBlank() ? "d1_migrations" : table;
  }

  private static List<String> planned(DatabasePlan db) {
    List<MigrationFile> files = db.migrations();
    return files == null ? List.of() : files.stream().map(MigrationFile::name).toList();
  }

  private static List<String> without(List<String> all, List<String> remove) {
    Set<String> gone = new HashSet<>(remove);
    return all.stream().filter(name -> !gone.contains(name)).toList();
  }

  private static String describe(List<String> names) {
    return names.isEmpty() ? "nothing" : String.join(", ", names);
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  private static String abbreviate(String s) {
    String t = s.strip();
    return t.length() <= 400 ? t : t.substring(0, 400) + "…";
  }
}
