package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.activities.DatabaseState;
import dev.flaredeploy.activities.DeploymentTarget;
import dev.flaredeploy.activities.PreflightReport;
import dev.flaredeploy.activities.cloudflare.api.CloudflareApi;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.local.LocalWorkspace;
import dev.flaredeploy.activities.local.MigrationFailedException;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.process.Wrangler;
import dev.flaredeploy.activities.source.SourceSnapshots;
import dev.flaredeploy.workflows.FailureTypes;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.RestorePoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Cloudflare target: D1 and the live release read and changed through Cloudflare's REST API ({@link
 * CloudflareDatabases}, the D1 side), Worker versions put live with wrangler ({@link CloudflareReleases},
 * the Worker side). Restore points are D1 Time Travel bookmarks; a migration is applied over {@code /query}
 * with its ledger row and its checksum row in one atomic batch.
 *
 * <p>Credentials are the worker's own {@code CLOUDFLARE_API_TOKEN} / {@code CLOUDFLARE_ACCOUNT_ID}
 * ({@link CloudflareCredentials}); without a token every method fails with {@link
 * FailureTypes#CREDENTIALS_MISSING} before calling anything. The API client and everything wrangler prints
 * are scrubbed of the token before it reaches a result or an exception message.
 *
 * <p>Every method looks before it acts and may be retried: {@link #applyMigrations} applies only what the
 * ledger lacks; {@link #release} reuses the version it tagged with the source id and does nothing when
 * that version already serves all traffic; {@link #rollback} does nothing when the version is already
 * live; {@link #restore} to the same bookmark twice leaves the same data.
 *
 * <p>Failures: {@link MigrationFailedException} when D1 rejects a migration's SQL; {@link
 * CloudflareException} otherwise, typed ({@code CredentialsMissing}, {@code ConfigInvalid}, {@code
 * CloudflareRefused}, {@code CloudflareUnavailable}, {@code ReleaseFailed}, {@code WranglerFailed}, {@code
 * CompensationFailed}) and marked retryable or not.
 *
 * <p>The release version this target reports ({@link #liveRelease}) is Cloudflare's version id; the
 * source id is the version's tag ({@code annotations["workers/tag"]}), see {@link #liveSource}.
 */
public class CloudflareTarget implements DeploymentTarget {
  /** Generous: an upload bundles first, and a kept export of a large database takes time. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(10);
  /** The request header that sends a request to one version of a Worker in its current deployment. */
  public static final String VERSION_OVERRIDES = CloudflareReleases.VERSION_OVERRIDES;

  private final SourceSnapshots sources;
  private final CloudflareCredentials credentials;
  private final CloudflareApi api;
  private final CloudflareDatabases databases;
  private final CloudflareReleases releases;

  /**
   * @param environment the worker's environment ({@code System.getenv()}): where the credentials and the
   *     API's base URL come from; a missing token is reported by the deployment that needs it, not here
   */
  public CloudflareTarget(Wrangler wrangler, SourceSnapshots sources, Map<String, String> environment) {
    this(wrangler, sources, environment, DEFAULT_COMMAND_TIMEOUT, CloudflareApi.fromEnvironment(environment));
  }

  /** @param api Cloudflare's API as this worker reaches it ({@link CloudflareApi#fromEnvironment}) */
  public CloudflareTarget(Wrangler wrangler, SourceSnapshots sources, Map<String, String> environment,
      Duration commandTimeout, CloudflareApi api) {
    this.sources = Objects.requireNonNull(sources, "sources");
    this.credentials = CloudflareCredentials.from(environment);
    this.api = Objects.requireNonNull(api, "api");
    CloudflareWrangler cloudflareWrangler = new CloudflareWrangler(Objects.requireNonNull(wrangler, "wrangler"),
        credentials, Objects.requireNonNull(commandTimeout, "commandTimeout"));
    this.databases = new CloudflareDatabases(cloudflareWrangler, LocalWorkspace.fromEnvironment(environment));
    this.releases = new CloudflareReleases(cloudflareWrangler);
  }

  // ---- checks ----

  /**
   * What a Cloudflare deployment of {@code plan} needs, checked before anything changes: every D1 binding
   * has a {@code database_id}; {@code account_id} in the config agrees with {@code CLOUDFLARE_ACCOUNT_ID}
   * (both checked without a call); then, once those hold, the account is known (the token's only one when
   * neither names it) and every database exists on it and the token may read it (their info, read at once).
   * Changes nothing. (Required secrets are a policy rule, read with {@link #secretNames}.)
   *
   * @throws CloudflareException {@code CredentialsMissing} when there is no token: nothing else can be
   *     checked without it
   */
  @Override
  public PreflightReport preflight(DeploymentPlan plan, Tick tick) {
    CloudflareProject project = project(plan);
    List<String> problems = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    for (DatabasePlan db : plan.databases()) {
      if (db.databaseId() == null || db.databaseId().isBlank()) {
        problems.add(missingDatabaseId(project, db));
      }
    }
    Optional<String> configAccount = Optional.ofNullable(project.configAccountId());
    Optional<String> envAccount = credentials.accountId();
    if (configAccount.isPresent() && envAccount.isPresent() && !configAccount.equals(envAccount)) {
      problems.add("account_id in " + project.configFileName() + " is " + configAccount.get()
          + " but " + CloudflareCredentials.ACCOUNT_ID + " is " + envAccount.get()
          + "; wrangler uses the config's, so the worker's token would act on another account than it was"
          + " given for: make them agree, or remove account_id from the config");
    }
    if (!problems.isEmpty()) {
      return new PreflightReport(problems, warnings);
    }
    try {
      project.accountId(tick);
    } catch (CloudflareException e) {
      if (!FailureTypes.CONFIG_INVALID.equals(e.failureType())) {
        throw e;
      }
      return new PreflightReport(List.of(e.getMessage()), warnings); // several accounts, or none
    }
    problems.addAll(databases.problems(project, tick));
    return new PreflightReport(problems, warnings);
  }

  /** Ledger, recorded checksums and schema of one database in one {@code /query} (never its data). */
  @Override
  public DatabaseState inspect(DeploymentPlan plan, DatabasePlan database, Tick tick) {
    return databases.inspect(project(plan), database, tick);
  }

  /** Each {@link #inspect} is one request: the pre-deploy checks read every database of a plan at once. */
  @Override
  public int concurrentReads() {
    return 8;
  }

  /** One read-only {@code /query}; no rows when a table it reads does not exist. */
  @Override
  public List<Map<String, String>> probe(DeploymentPlan plan, DatabasePlan database, String sql, Tick tick) {
    return databases.probe(project(plan), database, sql, tick);
  }

  /** One {@code /query}; empty when {@code table} does not exist. */
  @Override
  public Optional<List<Map<String, String>>> queryTable(
      DeploymentPlan plan, DatabasePlan database, String table, String sql, Tick tick) {
    return databases.queryTable(project(plan), database, table, sql, tick);
  }

  /** One {@code /query}, which D1 runs as one batch. */
  @Override
  public void executeBatch(DeploymentPlan plan, DatabasePlan database, String sql, Tick tick) {
    databases.executeBatch(project(plan), database, sql, tick);
  }

  @Override
  public List<String> secretNames(DeploymentPlan plan, Tick tick) {
    return releases.secretNames(project(plan), tick);
  }

  // ---- what serves ----

  /**
   * The Cloudflare version id that serves all traffic, or the one with the largest share during a split;
   * empty when the Worker does not exist or has no deployment. One {@code GET …/deployments}.
   */
  @Override
  public Optional<String> liveRelease(DeploymentPlan plan) {
    return releases.liveRelease(project(plan), Tick.NONE);
  }

  /**
   * The source id (tag) of the version that serves all traffic, or of the largest share: what the workflow
   * compares with {@code plan.source().id()}. Empty when nothing serves or the version has no tag.
   */
  @Override
  public Optional<String> liveSource(DeploymentPlan plan, Tick tick) {
    return releases.liveSource(project(plan), tick);
  }

  // ---- changes ----

  @Override
  public List<RestorePoint> checkpoint(DeploymentPlan plan, String runId, Tick tick) {
    return databases.checkpoint(project(plan), runId, tick);
  }

  /** Where kept checkpoint exports of this plan's service and environment go. */
  public Path checkpointsDir(DeploymentPlan plan) {
    return databases.checkpointsDir(plan);
  }

  /**
   * Applies the binding's pending migrations over {@code /query}, each file with its ledger row and its
   * checksum row in one atomic batch, and returns the ledger
   * afterwards.
   *
   * @throws MigrationFailedException when D1 rejects a file's SQL; the files before it stay applied
   */
  @Override
  public List<String> applyMigrations(DeploymentPlan plan, DatabasePlan database, Tick tick) {
    return databases.applyMigrations(project(plan), database, tick);
  }

  @Override
  public String restore(DeploymentPlan plan, RestorePoint restorePoint, Tick tick) {
    return databases.restore(project(plan), restorePoint, tick);
  }

  @Override
  public String release(DeploymentPlan plan, Tick tick) {
    return releases.release(project(plan), tick);
  }

  @Override
  public UploadedVersion uploadVersion(DeploymentPlan plan, Tick tick) {
    return releases.uploadVersion(project(plan), tick);
  }

  @Override
  public String shiftTraffic(
      DeploymentPlan plan, String versionId, String previousVersionId, int percent, Tick tick) {
    return releases.shiftTraffic(project(plan), versionId, previousVersionId, percent, tick);
  }

  @Override
  public Map<String, String> versionHeaders(DeploymentPlan plan, String workerName, String versionId) {
    return releases.versionHeaders(workerName, versionId);
  }

  @Override
  public String rollback(DeploymentPlan plan, String version, Tick tick) {
    return releases.rollback(project(plan), version, tick);
  }

  /**
   * {@code deploy --provision}: for each D1 binding without a {@code database_id}, the database named by its
   * {@code database_name}, found by name or else created; with the config entry to add ({@link
   * ProvisionedDatabase#snippet}). Never edits a file. Empty when every binding has an id. A retry finds
   * what an earlier attempt created.
   */
  public List<ProvisionedDatabase> provision(DeploymentPlan plan, Tick tick) {
    return databases.provision(project(plan), tick);
  }

  // ---- helpers ----

  private CloudflareProject project(DeploymentPlan plan) {
    credentials.requireToken();
    return CloudflareProject.of(plan, sources, api);
  }

  private static String missingDatabaseId(CloudflareProject project, DatabasePlan db) {
    return "D1 binding " + db.binding() + " has no database_id in " + project.configFileName()
        + (ProjectConfigLoader.DEFAULT_ENVIRONMENT.equals(project.environment()) ? ""
            : " [env." + project.environment() + "]")
        + "; add the id of the remote database (`wrangler d1 list`, or create it with `wrangler d1 create "
        + (db.databaseName() == null ? "<name>" : db.databaseName()) + "`), or let `flaredeploy deploy"
        + " --provision` find or create it and print the entry to add";
  }
}
