package dev.flaredeploy.activities.config;

import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.LocalSettings;
import dev.flaredeploy.workflows.model.MigrationAllowance;
import dev.flaredeploy.workflows.model.RolloutPlan;
import dev.flaredeploy.workflows.model.PolicySettings;
import dev.flaredeploy.workflows.model.SmokePlan;
import java.nio.file.Path;
import java.util.List;

/**
 * A project's configuration for one environment, as read by {@link ProjectConfigLoader}: the wrangler
 * config resolved the way wrangler resolves it, with {@code flaredeploy.toml} and its defaults applied.
 *
 * @param service the top-level wrangler {@code name}; the same for every environment
 * @param environment {@code "default"} for the top level, else the wrangler environment name
 * @param configFile absolute path of the wrangler config that was used
 * @param workerName the Worker's name in this environment: the environment's {@code name} if set, else
 *     {@code <service>-<environment>}; {@code service} for the default environment
 * @param main the Worker's entry point as written, relative to the config file's directory (it exists)
 * @param databases the D1 bindings of this environment only, each with its migrations in wrangler's order
 * @param smoke how the release is checked (default: {@code GET /health} expecting 2xx, 30 s)
 * @param restoreDatabaseOn steps whose failure restores the databases (values of {@code Steps.RESTORABLE})
 * @param local where the local target serves the release (default port 8787)
 * @param target {@code "local"} (default) or {@code "cloudflare"}
 * @param warnings things that are allowed but probably not meant, for the user to see
 * @param onDrift {@code "fail"} or {@code "warn"} when the live schema differs from what the applied
 *     migrations produce ([policy] on_drift; default fail for environments named prod*, warn elsewhere)
 * @param rollout the gradual rollout ({@code [rollout]}) of this environment, null when none (or {@code
 *     enabled = false})
 * @param checkpointExport {@code [checkpoint] export}: keep an SQL export of each database with the
 *     Cloudflare checkpoint (default false)
 * @param policy the pre-deploy policies of [policy] (freeze windows, branches, clean tree, required
 *     secrets), without overrides
 * @param allowances {@code [[migrations.allow]]} of the top level and of this environment; each names a
 *     file (and binding) that exists
 * @param services the wrangler service bindings of this environment: the Workers it calls
 * @param fleetParallel {@code [fleet] parallel} of flaredeploy.toml (the same for every environment), null when
 *     not set
 * @param environments the wrangler config's environments in file order, {@code "default"} (the top level) first
 */
public record LoadedProject(
    String service,
    String environment,
    Path configFile,
    String workerName,
    String main,
    List<DatabasePlan> databases,
    SmokePlan smoke,
    List<String> restoreDatabaseOn,
    LocalSettings local,
    String target,
    List<String> warnings,
    String onDrift,
    RolloutSetting rollout,
    boolean checkpointExport,
    PolicySettings policy,
    List<MigrationAllowance> allowances,
    List<ServiceBinding> services,
    Integer fleetParallel,
    List<String> environments) {

  public LoadedProject {
    databases = List.copyOf(databases);
    restoreDatabaseOn = List.copyOf(restoreDatabaseOn);
    warnings = List.copyOf(warnings);
    allowances = List.copyOf(allowances);
    services = services == null ? List.of() : List.copyOf(services);
    environments = environments == null ? List.of() : List.copyOf(environments);
  }

  /** The rollout's plan, or null: the release takes all traffic at once. */
  public RolloutPlan rolloutPlan() {
    return rollout == null ? null : rollout.plan();
  }

  /**
   * Refuses a rollout on a target that cannot split traffic: the local target serves one release at a time.
   *
   * @throws ConfigException at the rollout's {@code steps}, saying how to fix it
   */
  public void requireTargetCanRollOut(String target) {
    if (rollout != null && "local".equals(target)) {
      throw rollout.error("a gradual rollout needs a target that can split traffic between two versions, and"
          + " the local target serves one release at a time; deploy with --target cloudflare (or target ="
          + " \"cloudflare\"), or turn the rollout off for this environment ("
          + (isDefaultEnvironment() ? "[rollout]" : "[env." + environment + ".rollout]") + " enabled = false"
          + ")");
    }
  }

  /** True when the top-level wrangler config is used (no {@code --env}). */
  public boolean isDefaultEnvironment() {
    return ProjectConfigLoader.DEFAULT_ENVIRONMENT.equals(environment);
  }
}
