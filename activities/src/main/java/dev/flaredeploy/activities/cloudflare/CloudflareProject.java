package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.activities.cloudflare.api.CloudflareApi;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.config.WranglerAccountId;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.source.SourceSnapshots;
import dev.flaredeploy.workflows.model.CloudflareSettings;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import java.nio.file.Path;

/**
 * One plan as the Cloudflare target works with it during one call (one activity): the Worker's name and
 * the account, the API for the project's compliance region, and the pinned source. The plan carries the
 * names ({@link DeploymentPlan#cloudflare()}), so a call that only talks to the API never touches the
 * snapshot; the snapshot is verified (hashed) at most once per call, the first time wrangler must run in it
 * or a migration file is read. A plan recorded before the names were added reads them from the verified
 * snapshot instead.
 */
final class CloudflareProject {
  private final DeploymentPlan plan;
  private final SourceSnapshots sources;
  private final CloudflareApi api;
  private final String workerName;
  private final String configAccountId;
  private Path dir;
  private String accountId;

  private CloudflareProject(DeploymentPlan plan, SourceSnapshots sources, CloudflareApi api, String workerName,
      String configAccountId, Path dir) {
    this.plan = plan;
    this.sources = sources;
    this.api = api;
    this.workerName = workerName;
    this.configAccountId = configAccountId;
    this.dir = dir;
  }

  /** The project of {@code plan}; reads the snapshot only for a plan without {@code cloudflare} settings. */
  static CloudflareProject of(DeploymentPlan plan, SourceSnapshots sources, CloudflareApi api) {
    CloudflareSettings settings = plan.cloudflare();
    if (settings != null && settings.workerName() != null) {
      return new CloudflareProject(plan, sources, api.forComplianceRegion(settings.complianceRegion()),
          settings.workerName(), settings.accountId(), null);
    }
    Path dir = sources.verified(plan.source());
    Path config = dir.resolve(plan.configFile()).toAbsolutePath().normalize();
    String workerName = new ProjectConfigLoader().load(dir, plan.environment()).workerName();
    return new CloudflareProject(plan, sources,
        api.forComplianceRegion(WranglerAccountId.complianceRegion(config, plan.environment()).orElse(null)),
        workerName, WranglerAccountId.read(config, plan.environment()).orElse(null), dir);
  }

  DeploymentPlan plan() {
    return plan;
  }

  CloudflareApi api() {
    return api;
  }

  String workerName() {
    return workerName;
  }

  String environment() {
    return plan.environment();
  }

  /** {@code account_id} of the config for this environment, or null. */
  String configAccountId() {
    return configAccountId;
  }

  /** The account every call of this project goes to, resolved as wrangler resolves it (once per call). */
  synchronized String accountId(Tick tick) {
    if (accountId == null) {
      accountId = api.accountId(configAccountId, tick);
    }
    return accountId;
  }

  /** The pinned source, verified against its hash the first time it is asked for. */
  synchronized Path dir() {
    if (dir == null) {
      dir = sources.verified(plan.source());
    }
    return dir;
  }

  /** The wrangler config inside the pinned source (absolute). */
  Path config() {
    return dir().resolve(plan.configFile()).toAbsolutePath().normalize();
  }

  /** The config file's name, for messages (no need to verify the snapshot for it). */
  String configFileName() {
    return Path.of(plan.configFile()).getFileName().toString();
  }

  /** {@code " --env <name>"}, or "" for the default environment: for commands a person may run. */
  String envFlag() {
    return ProjectConfigLoader.DEFAULT_ENVIRONMENT.equals(plan.environment()) ? "" : " --env " + plan.environment();
  }

  /** The binding's database in the plan, by its binding name. */
  DatabasePlan database(String binding) {
    return plan.databases().stream()
        .filter(d -> d.binding().equals(binding))
        .findFirst()
        .orElseThrow(() -> new CloudflareException(dev.flaredeploy.workflows.FailureTypes.CONFIG_INVALID, false,
            "the plan has no D1 binding " + binding));
  }
}
