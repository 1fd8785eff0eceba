package dev.flaredeploy.cli;

import dev.flaredeploy.activities.config.WranglerProject;
import dev.flaredeploy.activities.config.WranglerProject.Database;
import dev.flaredeploy.activities.config.WranglerProject.Environment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code flaredeploy.toml} that {@code flaredeploy init} writes for a wrangler project: every environment
 * the wrangler config defines with a local port of its own, one smoke check, and for production-like
 * environments the {@code [policy]} rules a team usually wants there.
 *
 * <p>What is active and what is only suggested: the smoke check and the ports are active (a deployment needs
 * them, and they cannot block anything that worked before). Policies are written commented out, except {@code
 * on_drift = "fail"} for environments named {@code prod*}, which is their default anyway: a rule that blocks
 * deployments (a branch, a clean tree, a freeze window, a required secret) is the team's to choose, and
 * switching one on here would make the very first {@code plan} fail (this file is itself uncommitted).
 *
 * @param ports the local port of each environment, by name, distinct
 * @param healthPath the path of the smoke check; null: {@code /} expecting anything but a server error
 * @param branch the branch to suggest for production deploys (the checked-out one), or null
 */
record ConfigDraft(WranglerProject project, Map<String, Integer> ports, String healthPath, String branch) {
  static final String SMOKE_TIMEOUT = "30s";
  private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

  /**
   * Whether an environment is probably production: one named {@code prod*}, {@code live} or {@code main}; or
   * the top level when no named environment is (wrangler's usual layout: production at the top level, {@code
   * env.staging} and the like below it).
   */
  boolean productionLike(Environment environment) {
    if (!isTopLevel(environment)) {
      return namedProduction(environment.name());
    }
    return project.environments().stream().filter(e -> !isTopLevel(e)).noneMatch(e -> namedProduction(e.name()));
  }

  private static boolean namedProduction(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.startsWith("prod") || lower.equals("live") || lower.equals("main");
  }

  private static boolean isTopLevel(Environment environment) {
    return environment.name().equals("default");
  }

  String render() {
    String wrangler = project.configFile().getFileName().toString();
    StringBuilder out = new StringBuilder();
    out.append("# flaredeploy.toml for ").append(project.service()).append(", written by `flaredeploy init` from ")
        .append(wrangler).append(".\n");
    out.append("# ").append(wrangler).append(" stays the source of the Worker and its D1 bindings; this file says how\n");
    out.append("# flaredeploy checks and serves a release and what it lets through. Every key: docs/configuration.md.\n");
    out.append("# `flaredeploy plan` reads it and shows what a deployment would do, changing nothing.\n\n");

    out.append("# Where `flaredeploy deploy` goes without --target: the local target (wrangler's local mode on this\n");
    out.append("# machine) until you choose Cloudflare (your account, with CLOUDFLARE_API_TOKEN):\n");
    out.append("# target = \"cloudflare\"\n\n");

    out.append("[smoke]\n");
    out.append("timeout = \"").append(SMOKE_TIMEOUT)
        .append("\"                # how long the checks may keep failing before the release is rolled back\n\n");
    if (healthPath == null) {
      out.append("[[smoke.check]]                # after each release: the Worker answers GET / without a server error\n");
      out.append("path = \"/\"\n");
      out.append("expect_status_below = 500\n");
      out.append("# A health endpoint that touches the database checks more (flaredeploy init --health-path /health):\n");
      out.append("# path = \"/health\"\n");
      out.append("# expect_status = 200\n");
    } else {
      out.append("[[smoke.check]]                # after each release: the health endpoint answers 2xx\n");
      out.append("path = ").append(quote(healthPath)).append('\n');
      out.append("# expect_status = 200\n");
      out.append("# expect_body_contains = \"ok\"\n");
    }
    out.append('\n');

    out.append("# ---- the environments of ").append(wrangler).append(", each served on its own local port ----\n");
    for (Environment environment : project.environments()) {
      out.append('\n');
      describe(out, environment);
      String prefix = isTopLevel(environment) ? "" : "env." + key(environment.name()) + ".";
      out.append('[').append(prefix).append("local]\n");
      out.append("port = ").append(ports.get(environment.name())).append('\n');
      if (productionLike(environment)) {
        policies(out, environment, prefix);
      }
    }
    return out.toString();
  }

  private void describe(StringBuilder out, Environment environment) {
    out.append("# ").append(isTopLevel(environment) ? "default (the top level)" : environment.name())
        .append(": Worker ").append(environment.workerName());
    if (productionLike(environment)) {
      out.append(isTopLevel(environment) && project.environments().size() == 1
          ? " (production, presumably: the only environment)" : " (production-like)");
    }
    out.append('\n');
    if (environment.databases().isEmpty()) {
      out.append("#   no D1 database\n");
    }
    for (Database d : environment.databases()) {
      out.append("#   D1 ").append(d.binding()).append(": database ")
          .append(d.databaseName() == null ? "(no database_name)" : d.databaseName())
          .append(", migrations in ").append(d.migrationsDir()).append("/ (ledger table ").append(d.migrationsTable())
          .append(")\n");
      if (d.databaseId() == null) {
        out.append("#     no database_id: deploying to Cloudflare needs one; `flaredeploy deploy --target cloudflare")
            .append(isTopLevel(environment) ? "" : " --env " + environment.name())
            .append(" --provision` finds or creates the database and prints it\n");
      }
    }
  }

  private void policies(StringBuilder out, Environment environment, String prefix) {
    boolean prodNamed = !isTopLevel(environment) && environment.name().toLowerCase(Locale.ROOT).startsWith("prod");
    out.append("# Suggested for production, commented out so that nothing blocks before you choose it");
    out.append(isTopLevel(environment) && project.environments().size() > 1
        ? ";\n# at the top level they would apply to every environment that does not set its own:\n" : ":\n");
    out.append(prodNamed ? "" : "# ").append('[').append(prefix).append("policy]\n");
    if (prodNamed) {
      out.append("on_drift = \"fail\"             # stop when the live schema differs from what the migrations made (the default for prod*)\n");
    } else {
      out.append("# on_drift = \"fail\"            # stop when the live schema differs from what the migrations made\n");
    }
    String branches = "# branches = [" + quote(branch == null ? "main" : branch) + "]";
    out.append(branches).append(" ".repeat(Math.max(1, 31 - branches.length())))
        .append("# deploy only from these branches\n");
    out.append("# clean_tree = true            # only committed sources\n");
    out.append("# required_secrets = [\"API_KEY\"]   # Worker secrets that must be set before a release\n");
    out.append("# [[").append(prefix).append("policy.freeze]]  # no deploys on Friday afternoons\n");
    out.append("# name = \"friday-afternoon\"\n");
    out.append("# days = [\"friday\"]\n");
    out.append("# from = \"12:00\"\n");
    out.append("# time_zone = \"UTC\"\n");
  }

  /** A TOML key: bare when it can be, else quoted. */
  static String key(String name) {
    return BARE_KEY.matcher(name).matches() ? name : quote(name);
  }

  /** A TOML basic string. */
  static String quote(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\u%04X", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** What the text output lists per environment. */
  List<String> summaryLines() {
    List<String> lines = new ArrayList<>();
    for (Environment e : project.environments()) {
      lines.add(String.format("  %-12s port %-5d %s%s", e.name(), ports.get(e.name()),
          e.databases().isEmpty() ? "no D1 database"
              : "D1 " + String.join(", ", e.databases().stream().map(Database::binding).toList()),
          productionLike(e) ? "; production-like: [policy] suggestions (commented out)" : ""));
    }
    return lines;
  }
}
