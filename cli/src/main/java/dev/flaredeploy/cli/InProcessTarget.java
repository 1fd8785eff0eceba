package dev.flaredeploy.cli;

import dev.flaredeploy.activities.DeploymentTarget;
import dev.flaredeploy.activities.cloudflare.CloudflareException;
import dev.flaredeploy.activities.config.ConfigException;
import dev.flaredeploy.activities.source.SourceException;
import dev.flaredeploy.worker.ActivitiesFactory;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.DeploymentRequest;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The commands that drive a target from this process instead of through a worker ({@code plan}, {@code deploy
 * --provision}, {@code migrations accept}): the plan of a request, the target it names, and the one mapping
 * of what goes wrong there to exit codes. The target uses this process's credentials.
 *
 * @param plan what prepare would pin for the request (attempt 0: not part of a deployment)
 * @param target the request's target, as the worker would build it
 */
record InProcessTarget(DeploymentPlan plan, DeploymentTarget target) {

  /**
   * Plans {@code request} with the targets built from {@code env} (this process's environment): a missing tool
   * is exit 4, an invalid project or source exit 2.
   */
  static InProcessTarget of(DeploymentRequest request, java.util.Map<String, String> env) {
    ActivitiesFactory.World world;
    try {
      world = ActivitiesFactory.world(env);
    } catch (IllegalStateException e) {
      throw new CliException(ExitCode.UNAVAILABLE, e.getMessage(), e);
    }
    DeploymentPlan plan = run(type -> "", () -> world.planBuilder().plan(request, 0));
    return new InProcessTarget(plan, world.targets().get(plan.target()));
  }

  /**
   * Runs {@code work} against the target, with what goes wrong as the exit code a deployment would end
   * with; {@code prefix} gives, for a Cloudflare failure's type, what its message starts with (which command
   * ran the target).
   */
  static <T> T run(Function<String, String> prefix, Supplier<T> work) {
    try {
      return work.get();
    } catch (ConfigException | SourceException e) {
      throw new CliException(ExitCode.INVALID_INPUT, e.getMessage(), e);
    } catch (CloudflareException e) {
      throw new CliException(ExitCode.ofFailureType(e.failureType()), prefix.apply(e.failureType()) + e.getMessage(), e);
    }
  }
}
