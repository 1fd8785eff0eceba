package dev.flaredeploy.worker;

import dev.flaredeploy.activities.DeploymentActivitiesImpl;
import dev.flaredeploy.activities.DeploymentTarget;
import dev.flaredeploy.activities.PlanBuilder;
import dev.flaredeploy.activities.cloudflare.CloudflareTarget;
import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.activities.local.LocalDatabases;
import dev.flaredeploy.activities.local.LocalReleases;
import dev.flaredeploy.activities.local.LocalTarget;
import dev.flaredeploy.activities.local.LocalWorkspace;
import dev.flaredeploy.activities.notify.NotifyActivitiesImpl;
import dev.flaredeploy.activities.releases.ReleaseActivitiesImpl;
import dev.flaredeploy.activities.releases.ReleaseJournal;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.Wrangler;
import dev.flaredeploy.activities.smoke.SmokeChecker;
import dev.flaredeploy.activities.source.SourceSnapshots;
import java.util.List;
import java.util.Map;

/** Builds the real activities from the worker's environment (FLAREDEPLOY_HOME, FLAREDEPLOY_WRANGLER…). */
public final class ActivitiesFactory {
  private ActivitiesFactory() {}

  /** @throws IllegalStateException when wrangler cannot be found, saying how to install it */
  public static DeploymentActivitiesImpl create(Map<String, String> env) {
    return create(world(env));
  }

  private static DeploymentActivitiesImpl create(World world) {
    return new DeploymentActivitiesImpl(world.sources(), new ProjectConfigLoader(), world.targets(),
        new SmokeChecker());
  }

  /**
   * What a worker registers: the deployment's activities and those beside them ({@link #more}), over one
   * {@link World}, so the release journal's activities and the deployment's drive the same targets.
   *
   * @throws IllegalStateException when wrangler cannot be found, saying how to install it
   */
  public static Activities forWorker(Map<String, String> env) {
    World world = world(env);
    return new Activities(create(world), more(env, world));
  }

  /** The activities of one worker: the deployment's, and the others it registers beside them. */
  public record Activities(DeploymentActivitiesImpl deployment, Object[] more) {}

  /**
   * The activities beside the deployment's: notifications (webhook URLs from {@code env}) and the release journal
   * (in the flaredeploy home of {@code env}).
   *
   * @throws IllegalStateException when wrangler cannot be found, saying how to install it
   */
  public static Object[] more(Map<String, String> env) {
    return more(env, world(env));
  }

  private static Object[] more(Map<String, String> env, World world) {
    return new Object[] {
      new NotifyActivitiesImpl(env),
      new ReleaseActivitiesImpl(journal(env), world.targets())
    };
  }

  /** The release journal in the flaredeploy home of {@code env} ({@code FLAREDEPLOY_HOME}, else ~/.flaredeploy). */
  public static ReleaseJournal journal(Map<String, String> env) {
    return new ReleaseJournal(LocalWorkspace.fromEnvironment(env).home());
  }

  /** What the activities work with: the snapshots and the targets by name. {@code plan} uses it too. */
  public record World(SourceSnapshots sources, Map<String, DeploymentTarget> targets) {
    public PlanBuilder planBuilder() {
      return new PlanBuilder(sources, new ProjectConfigLoader());
    }
  }

  /** @throws IllegalStateException when wrangler cannot be found, saying how to install it */
  public static World world(Map<String, String> env) {
    LocalWorkspace workspace = LocalWorkspace.fromEnvironment(env);
    ProcessRunner runner = new ProcessRunner();
    List<String> command = Wrangler.locate(env).orElseThrow(() -> new IllegalStateException(
        "wrangler was not found: run `npm ci` in the flaredeploy directory (it pins wrangler), "
            + "or set FLAREDEPLOY_WRANGLER to a wrangler executable"));
    Wrangler wrangler = new Wrangler(command, runner, workspace.logs());
    SourceSnapshots sources = new SourceSnapshots(workspace.snapshots(), runner);
    LocalTarget local = new LocalTarget(
        workspace, sources, new LocalDatabases(), new LocalReleases(workspace, wrangler));
    // credentials are read from env; a missing token fails the deployment that needs it, not the worker
    CloudflareTarget cloudflare = new CloudflareTarget(wrangler, sources, env);
    return new World(sources, Map.of("local", local, "cloudflare", cloudflare));
  }
}
