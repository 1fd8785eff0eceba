package dev.flaredeploy.activities;

import dev.flaredeploy.activities.config.ConfigException;
import dev.flaredeploy.activities.config.LoadedProject;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.config.WranglerAccountId;
import dev.flaredeploy.activities.source.SourceSnapshots;
import dev.flaredeploy.workflows.model.CloudflareSettings;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import dev.flaredeploy.workflows.model.SourceSnapshot;
import java.nio.file.Path;

/**
 * What prepare does, without Temporal: pins the source and reads the configuration of the environment
 * from the snapshot (never from the checkout as it may be later). {@code flaredeploy plan} uses it too.
 */
public final class PlanBuilder {
  private final SourceSnapshots sources;
  private final ProjectConfigLoader configLoader;

  public PlanBuilder(SourceSnapshots sources, ProjectConfigLoader configLoader) {
    this.sources = sources;
    this.configLoader = configLoader;
  }

  /**
   * @throws ConfigException for bad configuration, or when the source names another Worker
   * @throws dev.flaredeploy.activities.source.SourceException when the source cannot be pinned
   */
  public DeploymentPlan plan(DeploymentRequest request, int attempt) {
    SourceSnapshot source = sources.pin(Path.of(request.projectDir()), request.commit());
    LoadedProject project = configLoader.load(Path.of(source.path()), request.environment());
    project.requireTargetCanRollOut(request.target());
    if (!project.service().equals(request.service())) {
      throw new ConfigException(project.configFile(), 0, "name",
          "the source names its Worker \"" + project.service() + "\" but this deployment is for \""
              + request.service() + "\"; start a deployment for " + project.service() + " instead");
    }
    return new DeploymentPlan(project.service(), project.environment(), request.target(), source,
        project.configFile().getFileName().toString(), project.databases(), project.smoke(),
        project.restoreDatabaseOn(), project.local(), attempt, request.allowDestructive(), project.onDrift(),
        project.rolloutPlan(), project.checkpointExport(), project.policy().withOverrides(request.overrides()),
        project.allowances(), cloudflareSettings(project), project.approval(), project.notifications());
  }

  /** The Worker's name, account and compliance region, read once here for the Cloudflare target. */
  private static CloudflareSettings cloudflareSettings(LoadedProject project) {
    return new CloudflareSettings(project.workerName(),
        WranglerAccountId.read(project.configFile(), project.environment()).orElse(null),
        WranglerAccountId.complianceRegion(project.configFile(), project.environment()).orElse(null));
  }
}
