package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a deployment will change, and its digest: the one thing an approval is bound to. Defined here once;
 * the workflow's approval gate and {@code flaredeploy plan} both compute it with {@link #of}, from the plan
 * and what the pre-deploy checks (validate-schema) returned. Deterministic: the same plan and checks give
 * the same digest on any machine, in any run.
 *
 * <p>It covers, one canonical line each: the source id; every pending migration with its binding and sha256;
 * the release live now (which this one replaces); every drift the drift check reported (warnings and
 * errors); the policy overrides with their reasons, and {@code --allow-destructive}. The digest is the first
 * 16 hex digits of the SHA-256 of those lines.
 *
 * @param value the digest, 16 lowercase hex digits
 * @param source the source id that will be released
 * @param pending {@code BINDING/file sha256:<hex>} per pending migration, in wrangler's order per binding
 * @param liveRelease the release live now, or null when none
 * @param drift what the drift check reported, sorted
 * @param overrides {@code rule: reason} per policy override, and {@code allow-destructive} when given
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PlanDigest(
    String value,
    String source,
    List<String> pending,
    String liveRelease,
    List<String> drift,
    List<String> overrides) {
  /** The check whose findings are drift ({@code activities.gate.DriftCheck}). */
  public static final String DRIFT_CHECK = "drift";
  /** How many hex digits of the SHA-256 the digest keeps. */
  public static final int LENGTH = 16;

  public PlanDigest {
    pending = pending == null ? List.of() : List.copyOf(pending);
    drift = drift == null ? List.of() : List.copyOf(drift);
    overrides = overrides == null ? List.of() : List.copyOf(overrides);
  }

  /** The digest of what {@code plan} would change, as validate-schema found the databases ({@code schema}). */
  public static PlanDigest of(DeploymentPlan plan, SchemaReport schema) {
    Map<String, DatabasePlan> databases = plan.databases().stream()
        .collect(Collectors.toMap(DatabasePlan::binding, Function.identity(), (a, b) -> a));
    List<String> pending = new ArrayList<>();
    for (DatabaseStatus status : schema.databases()) {
      DatabasePlan database = databases.get(status.binding());
      for (String name : status.pending()) {
        String sha = database == null ? null : database.migrations().stream()
            .filter(m -> m.name().equals(name)).map(MigrationFile::sha256).findFirst().orElse(null);
        pending.add(status.binding() + "/" + name + " sha256:" + (sha == null ? "unknown" : sha));
      }
    }
    List<String> drift = new ArrayList<>();
    if (schema.results() != null) {
      schema.results().stream()
          .filter(r -> DRIFT_CHECK.equals(r.check()) && r.findings() != null)
          .flatMap(r -> r.findings().stream())
          .filter(f -> !CheckFinding.INFO.equals(f.severity()))
          .forEach(f -> drift.add(f.message()));
    } else if (schema.drift() != null) {
      drift.addAll(schema.drift());
    }
    drift.sort(null);
    List<String> overrides = new ArrayList<>();
    if (plan.policy() != null && plan.policy().overrides() != null) {
      plan.policy().overrides().forEach(o -> overrides.add(o.rule() + ": " + o.reason()));
    }
    if (plan.allowDestructive()) {
      overrides.add("allow-destructive");
    }
    String source = plan.source().id();
    String live = schema.liveRelease();
    return new PlanDigest(hash(source, pending, live, drift, overrides), source, pending, live, drift, overrides);
  }

  /** Whether {@code given} (as a person typed it) names this digest: the same hex digits, any case. */
  public boolean matches(String given) {
    return given != null && given.strip().equalsIgnoreCase(value);
  }

  /**
   * Whether this plan is what {@code approved} covered, less migrations someone else applied meanwhile: the same
   * source, live release, drift and overrides, and pending migrations that the approved plan listed too (same
   * binding, file and sha256). What a deployment that waited for a shared database's lock after its approval
   * may still do without asking again.
   */
  public boolean within(PlanDigest approved) {
    return Objects.equals(source, approved.source) && Objects.equals(liveRelease, approved.liveRelease)
        && drift.equals(approved.drift) && overrides.equals(approved.overrides)
        && approved.pending.containsAll(pending);
  }

  /** What differs from {@code before}, for a person: one line per change. */
  public List<String> changesFrom(PlanDigest before) {
    List<String> changes = new ArrayList<>();
    if (!Objects.equals(source, before.source)) {
      changes.add("the source is now " + source + " (was " + before.source + ")");
    }
    if (!Objects.equals(liveRelease, before.liveRelease)) {
      changes.add("the live release is now " + (liveRelease == null ? "none" : liveRelease) + " (was "
          + (before.liveRelease == null ? "none" : before.liveRelease) + ")");
    }
    difference("pending migration", pending, before.pending, changes);
    difference("drift", drift, before.drift, changes);
    difference("override", overrides, before.overrides, changes);
    if (changes.isEmpty() && !value.equals(before.value)) {
      changes.add("the digest changed");
    }
    return changes;
  }

  private static void difference(String what, List<String> now, List<String> then, List<String> changes) {
    now.stream().filter(x -> !then.contains(x)).forEach(x -> changes.add("new " + what + ": " + x));
    then.stream().filter(x -> !now.contains(x)).forEach(x -> changes.add("no longer " + what + ": " + x));
  }

  private static String hash(
      String source, List<String> pending, String live, List<String> drift, List<String> overrides) {
    StringBuilder text = new StringBuilder("flaredeploy plan digest v1\n");
    text.append("source ").append(source).append('\n');
    pending.forEach(p -> text.append("pending ").append(p).append('\n'));
    text.append("live ").append(live == null ? "none" : live).append('\n');
    drift.forEach(d -> text.append("drift ").append(d.replace('\n', ' ')).append('\n'));
    overrides.forEach(o -> text.append("override ").append(o.replace('\n', ' ')).append('\n'));
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha).substring(0, LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
