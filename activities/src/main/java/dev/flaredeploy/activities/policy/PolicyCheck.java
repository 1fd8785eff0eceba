package dev.flaredeploy.activities.policy;

import static dev.flaredeploy.workflows.DeploymentIds.shortId;

import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.FreezeWindow;
import dev.flaredeploy.workflows.model.PolicyOverride;
import dev.flaredeploy.workflows.model.PolicyResult;
import dev.flaredeploy.workflows.model.PolicySettings;
import dev.flaredeploy.workflows.model.SourceSnapshot;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Evaluates a plan's {@link PolicySettings}: one {@link PolicyResult} per configured rule, in the order of
 * {@link PolicySettings#RULES}. A rule that fails is {@code overridden} when the plan's overrides name it,
 * else {@code failed} (which blocks the deployment). Reads nothing itself: the time and the Worker's secret
 * names come from the caller ({@code secretNames} is asked only when secrets are required).
 */
public final class PolicyCheck {
  private static final DateTimeFormatter NOW = DateTimeFormatter.ofPattern("EEEE yyyy-MM-dd HH:mm", Locale.ENGLISH);

  private PolicyCheck() {}

  public static List<PolicyResult> evaluate(DeploymentPlan plan, Instant now, Supplier<List<String>> secretNames) {
    PolicySettings policy = plan.policy();
    if (policy == null) {
      return List.of();
    }
    List<PolicyResult> results = new ArrayList<>();
    if (policy.configures(PolicySettings.FREEZE)) {
      results.add(result(policy, PolicySettings.FREEZE, freeze(policy.freeze(), now)));
    }
    if (policy.configures(PolicySettings.BRANCHES)) {
      results.add(result(policy, PolicySettings.BRANCHES, branches(policy.branches(), plan)));
    }
    if (policy.configures(PolicySettings.CLEAN_TREE)) {
      results.add(result(policy, PolicySettings.CLEAN_TREE, cleanTree(plan.source())));
    }
    if (policy.configures(PolicySettings.REQUIRED_SECRETS)) {
      results.add(result(policy, PolicySettings.REQUIRED_SECRETS,
          secrets(policy.requiredSecrets(), secretNames.get(), plan)));
    }
    return List.copyOf(results);
  }

  /** What one rule found: passed, or failed with the message. */
  private record Finding(boolean passed, String message) {}

  private static PolicyResult result(PolicySettings policy, String rule, Finding finding) {
    if (finding.passed()) {
      return new PolicyResult(rule, PolicyResult.PASSED, finding.message(), null);
    }
    Optional<PolicyOverride> override = policy.overrides() == null ? Optional.empty()
        : policy.overrides().stream().filter(o -> o.rule().equals(rule)).findFirst();
    return override
        .map(o -> new PolicyResult(rule, PolicyResult.OVERRIDDEN, finding.message(), o.reason()))
        .orElseGet(() -> new PolicyResult(rule, PolicyResult.FAILED, finding.message(), null));
  }

  // ---- freeze ----

  private static Finding freeze(List<FreezeWindow> windows, Instant now) {
    List<String> inEffect = new ArrayList<>();
    for (FreezeWindow window : windows) {
      if (inEffect(window, now)) {
        ZonedDateTime local = now.atZone(ZoneId.of(window.timeZone() == null ? "UTC" : window.timeZone()));
        inEffect.add("freeze window \"" + window.name() + "\" is in effect"
            + (window.reason() == null ? "" : " (" + window.reason() + ")") + ": " + describe(window)
            + "; it is now " + NOW.format(local) + " " + local.getZone().getId());
      }
    }
    if (inEffect.isEmpty()) {
      return new Finding(true, "no freeze window is in effect at " + now + " (" + windows.size()
          + " window(s) checked)");
    }
    return new Finding(false, String.join("; ", inEffect));
  }

  /** Whether {@code now} falls inside the window: start inclusive, end exclusive. */
  public static boolean inEffect(FreezeWindow window, Instant now) {
    if (!window.weekly()) {
      return !now.isBefore(Instant.parse(window.start())) && now.isBefore(Instant.parse(window.end()));
    }
    ZoneId zone = ZoneId.of(window.timeZone());
    int from = minutes(window.from());
    int until = minutes(window.until());
    LocalDate today = now.atZone(zone).toLocalDate();
    // a window that runs past midnight may have started on the day before
    for (LocalDate day : List.of(today, today.minusDays(1))) {
      if (!window.days().contains(day.getDayOfWeek().name().toLowerCase(Locale.ROOT))) {
        continue;
      }
      Instant start = at(day, from, zone);
      Instant end = until > from ? at(day, until, zone) : at(day.plusDays(1), until, zone);
      if (!now.isBefore(start) && now.isBefore(end)) {
        return true;
      }
    }
    return false;
  }

  private static Instant at(LocalDate day, int minutes, ZoneId zone) {
    return minutes >= 24 * 60
        ? day.plusDays(1).atStartOfDay(zone).toInstant()
        : ZonedDateTime.of(day, LocalTime.of(minutes / 60, minutes % 60), zone).toInstant();
  }

  private static int minutes(String hhmm) {
    return Integer.parseInt(hhmm.substring(0, 2)) * 60 + Integer.parseInt(hhmm.substring(3, 5));
  }

  private static String describe(FreezeWindow window) {
    if (!window.weekly()) {
      return "from " + window.start() + " until " + window.end();
    }
    return String.join(", ", window.days()) + " " + window.from() + "–" + window.until() + " " + window.timeZone()
        + (minutes(window.until()) <= minutes(window.from()) ? " (until the next day)" : "");
  }

  // ---- branches ----

  private static Finding branches(List<String> patterns, DeploymentPlan plan) {
    SourceSnapshot source = plan.source();
    String allowed = " (allowed in " + plan.environment() + ": " + String.join(", ", patterns) + ")";
    if (source.commit() == null) {
      return new Finding(false, "the source is not in a git repository, so its branch is unknown" + allowed);
    }
    List<String> branches = source.branches() == null ? List.of() : source.branches();
    if (branches.isEmpty()) {
      return new Finding(false, "commit " + shortId(source.commit()) + " is on no local branch (a detached HEAD, "
          + "or a commit no branch contains)" + allowed + "; check out an allowed branch");
    }
    for (String branch : branches) {
      for (String pattern : patterns) {
        if (matches(pattern, branch)) {
          return new Finding(true, "branch " + branch + " is allowed by \"" + pattern + "\"");
        }
      }
    }
    return new Finding(false, (branches.size() == 1 ? "branch " + branches.get(0) + " is not allowed"
        : "commit " + shortId(source.commit()) + " is on " + String.join(", ", branches) + ", none of them allowed")
        + allowed);
  }

  /**
   * A branch glob: {@code *} matches any characters but {@code /}, {@code **} any characters, {@code ?} one
   * character but {@code /}; everything else matches itself. {@code release/*} matches {@code release/1.2}
   * but not {@code release/1.2/fix}.
   */
  public static boolean matches(String pattern, String branch) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
        regex.append(".*");
        i++;
      } else if (c == '*') {
        regex.append("[^/]*");
      } else if (c == '?') {
        regex.append("[^/]");
      } else {
        regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return branch.matches(regex.toString());
  }

  // ---- clean tree ----

  private static Finding cleanTree(SourceSnapshot source) {
    if (source.commit() == null) {
      return new Finding(false, "the source is not in a git repository, so it cannot be shown to be a clean "
          + "commit; deploy from a git checkout");
    }
    if (source.dirty()) {
      return new Finding(false, "the working tree of " + source.projectDir() + " has uncommitted changes (see "
          + "`git status`); commit or stash them, or deploy a commit with --commit");
    }
    return new Finding(true, "commit " + shortId(source.commit()) + " without uncommitted changes");
  }

  // ---- required secrets ----

  private static Finding secrets(List<String> required, List<String> present, DeploymentPlan plan) {
    List<String> missing = required.stream().filter(name -> !present.contains(name)).toList();
    if (missing.isEmpty()) {
      return new Finding(true, "the Worker has every required secret (" + String.join(", ", required) + ")");
    }
    String named = "default".equals(plan.environment()) ? "" : " --env " + plan.environment();
    String how = "local".equals(plan.target())
        ? "the local target serves the Worker with the secrets wrangler dev reads: "
            + ("default".equals(plan.environment()) ? "" : ".dev.vars." + plan.environment() + " or ")
            + ".dev.vars next to the wrangler config; add " + String.join(", ", missing.stream()
                .map(n -> n + "=…").toList()) + " there"
        : "set each with `wrangler secret put <NAME>" + named + "`";
    return new Finding(false, "the Worker lacks the required secret(s) " + String.join(", ", missing)
        + " (checked by name); " + how);
  }
}
