package dev.flaredeploy.activities.config;

import dev.flaredeploy.workflows.Steps;
import dev.flaredeploy.workflows.model.ApprovalSettings;
import dev.flaredeploy.workflows.model.NotifyTarget;
import dev.flaredeploy.workflows.model.LocalSettings;
import dev.flaredeploy.workflows.model.RolloutPlan;
import dev.flaredeploy.workflows.model.PolicySettings;
import dev.flaredeploy.workflows.model.SmokeCheck;
import dev.flaredeploy.workflows.model.SmokePlan;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code flaredeploy.toml}, what wrangler has no place for: the target, smoke checks, the local port
 * and which failed steps restore the databases. The file is optional; when it is absent every default
 * applies. It is strict: unknown keys, wrong types and bad values are {@link ConfigException}s.
 *
 * <p>{@code [env.NAME]} overrides the top level for that wrangler environment, key by key; a {@code
 * smoke.check} list replaces the whole list. Every {@code [env.NAME]} is checked, not only the selected
 * one, and NAME must be an environment of the wrangler config.
 */
final class FlaredeployConfigReader {
  static final String FILE_NAME = "flaredeploy.toml";

  static final List<String> TARGETS = List.of("local", "cloudflare");
  static final String DEFAULT_TARGET = "local";
  static final long DEFAULT_SMOKE_TIMEOUT_MILLIS = 30_000;
  static final List<SmokeCheck> DEFAULT_CHECKS = List.of(new SmokeCheck("/health", null, null));
  static final int DEFAULT_PORT = 8787;

  static final long DEFAULT_SOAK_MILLIS = 300_000;

  private static final List<String> SECTION_KEYS =
      List.of("target", "smoke", "local", "compensation", "policy", "rollout", "checkpoint", "migrations",
          "approval", "notify");
  private static final List<String> TOP_KEYS =
      List.of("target", "smoke", "local", "compensation", "policy", "rollout", "checkpoint", "migrations",
          "approval", "notify", "env", "fleet");
  /** {@code [fleet] parallel}: how many members of a fleet run deploy at once, unless --parallel says. */
  static final String FLEET_PARALLEL_EXPECTED = "an integer between 1 and 1000";
  private static final String STEP_EXPECTED = "an integer percentage between 1 and 100";
  static final List<String> DRIFT_POLICIES = PolicyConfigReader.DRIFT_POLICIES;

  /** The settings of one environment, defaults applied. */
  record FlaredeploySettings(
      String target, SmokePlan smoke, LocalSettings local, List<String> restoreDatabaseOn, String onDrift,
      RolloutSetting rollout, boolean checkpointExport, PolicySettings policy,
      List<Allowance> allowances, ApprovalSettings approval, List<NotifyTarget> notifications,
      Integer fleetParallel, List<NotifyTarget> fleetNotifications) {}

  /**
   * What one section's {@code [rollout]} sets; null where it says nothing.
   *
   * @param table the section's rollout table, for a message about the table as a whole
   */
  private record RolloutOverrides(
      ConfigTable table, List<Integer> steps, ConfigValue<?> stepsAt, Long soakMillis, Boolean enabled) {

    RolloutOverrides overriddenBy(RolloutOverrides env) {
      if (env == null) {
        return this;
      }
      return new RolloutOverrides(
          env.table,
          env.steps != null ? env.steps : steps,
          env.steps != null ? env.stepsAt : stepsAt,
          env.soakMillis != null ? env.soakMillis : soakMillis,
          env.enabled != null ? env.enabled : enabled);
    }

    RolloutSetting setting() {
      if (Boolean.FALSE.equals(enabled)) {
        return null;
      }
      if (steps == null) {
        throw table.error("steps", "missing; a rollout needs its traffic percentages, e.g. steps = [10, 50, 100]"
            + " (or set enabled = false to release at once in this environment)");
      }
      return new RolloutSetting(new RolloutPlan(steps, soakMillis != null ? soakMillis : DEFAULT_SOAK_MILLIS),
          stepsAt.file(), stepsAt.line(), stepsAt.key());
    }
  }

  /**
   * One {@code [[migrations.allow]]}: where {@code file} and {@code database} were written, so that {@link
   * ProjectConfigLoader} can report a file or binding that does not exist at its line.
   *
   * @param database null when the allowance holds for every binding that has the file
   */
  record Allowance(ConfigValue<String> file, ConfigValue<String> database, String reason) {}

  /** What one section (the top level or one {@code [env.NAME]}) sets; null where it says nothing. */
  private record Overrides(
      String target, Long smokeTimeoutMillis, List<SmokeCheck> checks, Integer port, List<String> restoreOn,
      String onDrift, String smokeBaseUrl, RolloutOverrides rollout, Boolean checkpointExport,
      PolicyConfigReader.Section policy, List<Allowance> allowances, ProductionConfigReader.Approval approval,
      List<NotifyTarget> notifications) {

    static final Overrides NONE = new Overrides(null, null, null, null, null, null, null, null, null,
        PolicyConfigReader.Section.NONE, List.of(), ProductionConfigReader.Approval.NONE, null);

    Overrides overriddenBy(Overrides env) {
      return new Overrides(
          env.target != null ? env.target : target,
          env.smokeTimeoutMillis != null ? env.smokeTimeoutMillis : smokeTimeoutMillis,
          env.checks != null ? env.checks : checks,
          env.port != null ? env.port : port,
          env.restoreOn != null ? env.restoreOn : restoreOn,
          env.onDrift != null ? env.onDrift : onDrift,
          env.smokeBaseUrl != null ? env.smokeBaseUrl : smokeBaseUrl,
          rollout == null ? env.rollout : rollout.overriddenBy(env.rollout),
          env.checkpointExport != null ? env.checkpointExport : checkpointExport,
          policy.overriddenBy(env.policy),
          concat(allowances, env.allowances), // an environment's allowances add to the top level's
          approval.overriddenBy(env.approval),
          env.notifications != null ? env.notifications : notifications); // an environment's [[notify]] list replaces the top level's
    }

    /**
     * Drift fails production deployments and warns elsewhere, unless [policy] on_drift says otherwise. With
     * what applies to a whole fleet run: {@code [fleet] parallel} ({@code fleetParallel}, null when unset) and
     * the top level's {@code [[notify]]} ({@code topNotifications}, none when null).
     */
    FlaredeploySettings withDefaults(String environment, Integer fleetParallel, List<NotifyTarget> topNotifications) {
      return new FlaredeploySettings(
          target != null ? target : DEFAULT_TARGET,
          new SmokePlan(
              smokeTimeoutMillis != null ? smokeTimeoutMillis : DEFAULT_SMOKE_TIMEOUT_MILLIS,
              checks != null ? checks : DEFAULT_CHECKS,
              smokeBaseUrl),
          new LocalSettings(port != null ? port : DEFAULT_PORT),
          restoreOn != null ? restoreOn : Steps.DEFAULT_RESTORE_DATABASE_ON,
          onDrift != null ? onDrift : environment.startsWith("prod") ? "fail" : "warn",
          rollout == null ? null : rollout.setting(),
          checkpointExport != null && checkpointExport,
          policy.settings(),
          allowances,
          approval.settings(),
          notifications != null ? notifications : List.of(),
          fleetParallel,
          topNotifications != null ? topNotifications : List.of());
    }

    private static List<Allowance> concat(List<Allowance> top, List<Allowance> env) {
      List<Allowance> all = new ArrayList<>(top);
      all.addAll(env);
      return List.copyOf(all);
    }
  }

  /**
   * @param environment {@code "default"} or a wrangler environment name
   * @param wranglerFile the wrangler config's file name, for messages
   * @param wranglerEnvironments the environments the wrangler config defines
   */
  FlaredeploySettings read(
      Path projectDir, String environment, String wranglerFile, Collection<String> wranglerEnvironments) {
    Path file = projectDir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      return Overrides.NONE.withDefaults(environment, null, null);
    }
    ConfigTable top = ConfigFiles.readToml(file);
    top.rejectUnknownKeys(TOP_KEYS);
    Overrides settings = section(top);
    Overrides topLevel = settings;
    Integer fleetParallel = top.table("fleet").flatMap(fleet -> {
      fleet.rejectUnknownKeys(List.of("parallel"));
      return fleet.integer("parallel", FLEET_PARALLEL_EXPECTED);
    }).map(value -> (int) inRange(value, 1, 1000, FLEET_PARALLEL_EXPECTED)).orElse(null);
    Map<String, ConfigTable> environments = top.table("env").map(ConfigTable::subtables).orElse(Map.of());
    for (Map.Entry<String, ConfigTable> env : environments.entrySet()) {
      if (!wranglerEnvironments.contains(env.getKey())) {
        throw env.getValue()
            .error(
                "no environment "
                    + ConfigNode.quote(env.getKey())
                    + " in "
                    + wranglerFile
                    + (wranglerEnvironments.isEmpty()
                        ? ", which defines none"
                        : " (it defines " + String.join(", ", wranglerEnvironments) + ")")
                    + "; remove this section or define the environment in "
                    + wranglerFile
                    + " first (the top level of this file applies to the \"default\" environment)");
      }
      if (env.getValue().has("fleet")) {
        throw env.getValue().error("fleet", "[fleet] applies to a whole fleet run, not to one environment; set it"
            + " at the top level of " + FILE_NAME);
      }
      Overrides overrides = section(env.getValue());
      if (env.getKey().equals(environment)) {
        settings = settings.overriddenBy(overrides);
      }
    }
    return settings.withDefaults(environment, fleetParallel, topLevel.notifications);
  }

  private static Overrides section(ConfigTable table) {
    if (!table.key().isEmpty()) {
      table.rejectUnknownKeys(SECTION_KEYS);
    }
    String target =
        table
            .string("target")
            .map(
                value -> {
                  if (!TARGETS.contains(value.value())) {
                    throw value.error(
                        "expected one of \"local\", \"cloudflare\", got " + ConfigNode.quote(value.value()));
                  }
                  return value.value();
                })
            .orElse(null);
    Long timeout = null;
    List<SmokeCheck> checks = null;
    String baseUrl = null;
    ConfigTable smoke = table.table("smoke").orElse(null);
    if (smoke != null) {
      smoke.rejectUnknownKeys(List.of("timeout", "check", "base_url"));
      baseUrl = smoke.string("base_url").map(FlaredeployConfigReader::baseUrl).orElse(null);
      timeout = smoke.string("timeout", Durations.EXPECTED).map(FlaredeployConfigReader::duration).orElse(null);
      checks = smoke.tables("check").map(FlaredeployConfigReader::checks).orElse(null);
      if (checks != null && checks.isEmpty()) {
        throw smoke.error(
            "check", "expected at least one check; remove the key to use the default GET /health expecting 2xx");
      }
    }
    Integer port =
        table
            .table("local")
            .flatMap(
                local -> {
                  local.rejectUnknownKeys(List.of("port"));
                  return local.integer("port", "an integer between 1 and 65535");
                })
            .map(value -> (int) inRange(value, 1, 65535, "an integer between 1 and 65535"))
            .orElse(null);
    List<String> restoreOn =
        table
            .table("compensation")
            .flatMap(
                compensation -> {
                  compensation.rejectUnknownKeys(List.of("restore_database_on"));
                  return compensation.strings("restore_database_on");
                })
            .map(FlaredeployConfigReader::restorableSteps)
            .orElse(null);
    PolicyConfigReader.Section policy =
        table.table("policy").map(PolicyConfigReader::read).orElse(PolicyConfigReader.Section.NONE);
    Boolean checkpointExport =
        table
            .table("checkpoint")
            .flatMap(
                checkpoint -> {
                  checkpoint.rejectUnknownKeys(List.of("export"));
                  return checkpoint.bool("export");
                })
            .map(ConfigValue::value)
            .orElse(null);
    RolloutOverrides rollout = table.table("rollout").map(FlaredeployConfigReader::rollout).orElse(null);
    List<Allowance> allowances = table.table("migrations").map(FlaredeployConfigReader::allowances).orElse(List.of());
    ProductionConfigReader.Approval approval =
        table.table("approval").map(ProductionConfigReader::approval).orElse(ProductionConfigReader.Approval.NONE);
    List<NotifyTarget> notify = table.tables("notify").map(ProductionConfigReader::notifications).orElse(null);
    return new Overrides(target, timeout, checks, port, restoreOn, policy.onDrift(), baseUrl, rollout,
        checkpointExport, policy, allowances, approval, notify);
  }

  /**
   * {@code [rollout]}: {@code steps} strictly increasing percentages from 1 to 100 ending at 100, {@code
   * soak} a duration, {@code enabled} true or false. Whether the target can split traffic is checked where
   * the target is known ({@link LoadedProject#requireTargetCanRollOut}).
   */
  private static RolloutOverrides rollout(ConfigTable rollout) {
    rollout.rejectUnknownKeys(List.of("steps", "soak", "enabled"));
    List<Integer> steps = null;
    ConfigValue<List<ConfigValue<Long>>> stepsValue = rollout.integers("steps", STEP_EXPECTED).orElse(null);
    if (stepsValue != null) {
      if (stepsValue.value().isEmpty()) {
        throw stepsValue.error("expected at least one step, the last 100, e.g. [10, 50, 100]; to release at once"
            + " set enabled = false");
      }
      List<Integer> percents = new ArrayList<>();
      for (ConfigValue<Long> step : stepsValue.value()) {
        int percent = (int) inRange(step, 1, 100, STEP_EXPECTED);
        if (!percents.isEmpty() && percent <= percents.get(percents.size() - 1)) {
          throw step.error("expected steps in increasing order, each larger than the one before; got " + percent
              + " after " + percents.get(percents.size() - 1));
        }
        percents.add(percent);
      }
      if (percents.get(percents.size() - 1) != 100) {
        throw stepsValue.error("expected the last step to be 100, so that the new version ends with all the"
            + " traffic; got " + percents.get(percents.size() - 1) + " (add 100 at the end)");
      }
      steps = List.copyOf(percents);
    }
    Long soak = rollout.string("soak", Durations.EXPECTED).map(FlaredeployConfigReader::duration).orElse(null);
    Boolean enabled = rollout.bool("enabled").map(ConfigValue::value).orElse(null);
    return new RolloutOverrides(rollout, steps, stepsValue, soak, enabled);
  }

  /** {@code [[migrations.allow]]}: file (required), database (optional), reason (required, not blank). */
  private static List<Allowance> allowances(ConfigTable migrations) {
    migrations.rejectUnknownKeys(List.of("allow"));
    List<Allowance> allowances = new ArrayList<>();
    for (ConfigTable allow : migrations.tables("allow").orElse(List.of())) {
      allow.rejectUnknownKeys(List.of("file", "database", "reason"));
      ConfigValue<String> file = allow.string("file").orElseThrow(() -> allow.error("file",
          "missing; name the migration file to let through, e.g. file = \"0003_drop_legacy.sql\""));
      if (file.value().isBlank() || file.value().contains("/") || file.value().contains("\\")) {
        throw file.error("expected the name of a file in the migrations directory, such as"
            + " \"0003_drop_legacy.sql\", got " + ConfigNode.quote(file.value()));
      }
      ConfigValue<String> database = allow.string("database").orElse(null);
      ConfigValue<String> reason = allow.string("reason").orElseThrow(() -> allow.error("reason",
          "missing; say why this destructive or renaming migration is safe to deploy, e.g. reason = \"no"
              + " code reads legacy_id since v2.3\""));
      if (reason.value().isBlank()) {
        throw reason.error("must not be empty; say why this migration is safe to deploy");
      }
      allowances.add(new Allowance(file, database, reason.value().strip()));
    }
    return List.copyOf(allowances);
  }

  /** An absolute http(s) URL with a host, without query or fragment (check paths are appended to it). */
  private static String baseUrl(ConfigValue<String> value) {
    String expected = "expected an absolute http or https URL such as \"https://api.example.com\", got "
        + ConfigNode.quote(value.value());
    URI uri;
    try {
      uri = new URI(value.value());
    } catch (URISyntaxException e) {
      throw value.error(expected);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw value.error(expected + (uri.getRawQuery() != null || uri.getRawFragment() != null
          ? " (no query or fragment: each check's path is appended to it)" : ""));
    }
    return value.value();
  }

  private static long duration(ConfigValue<String> value) {
    try {
      return Durations.parseMillis(value.value());
    } catch (IllegalArgumentException e) {
      throw value.error(e.getMessage());
    }
  }

  private static List<SmokeCheck> checks(List<ConfigTable> tables) {
    List<SmokeCheck> checks = new ArrayList<>();
    for (ConfigTable check : tables) {
      check.rejectUnknownKeys(List.of("path", "expect_status", "expect_status_below", "expect_body_contains"));
      ConfigValue<String> path =
          check
              .string("path")
              .orElseThrow(
                  () ->
                      check.error(
                          "path",
                          "missing; every check needs the path it requests, e.g. path = \"/health\""));
      if (!path.value().startsWith("/")) {
        throw path.error("expected a path starting with \"/\", got " + ConfigNode.quote(path.value()));
      }
      String statusExpected = "an integer between 100 and 599";
      Integer status =
          check
              .integer("expect_status", statusExpected)
              .map(value -> (int) inRange(value, 100, 599, statusExpected))
              .orElse(null);
      String belowExpected = "an integer between 101 and 600";
      ConfigValue<Long> below = check.integer("expect_status_below", belowExpected).orElse(null);
      if (below != null) {
        inRange(below, 101, 600, belowExpected);
        if (status != null) {
          throw below.error("expect_status and expect_status_below say different things; keep one (expect_status"
              + " for one exact status, expect_status_below = 500 for anything but a server error)");
        }
      }
      String body = check.string("expect_body_contains").map(ConfigValue::value).orElse(null);
      checks.add(new SmokeCheck(path.value(), status, body, below == null ? null : below.value().intValue()));
    }
    return List.copyOf(checks);
  }

  private static long inRange(ConfigValue<Long> value, long min, long max, String expected) {
    if (value.value() < min || value.value() > max) {
      throw value.error("expected " + expected + ", got " + value.value());
    }
    return value.value();
  }

  private static List<String> restorableSteps(List<ConfigValue<String>> values) {
    Set<String> steps = new LinkedHashSet<>();
    for (ConfigValue<String> value : values) {
      if (!Steps.RESTORABLE.contains(value.value())) {
        throw value.error(
            "expected one of "
                + String.join(", ", Steps.RESTORABLE.stream().map(ConfigNode::quote).toList())
                + ", got "
                + ConfigNode.quote(value.value()));
      }
      if (!steps.add(value.value())) {
        throw value.error(ConfigNode.quote(value.value()) + " is listed twice; list each step once");
      }
    }
    return List.copyOf(steps);
  }
}
