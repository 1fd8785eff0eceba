package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What validate-schema saw: per database the applied and pending migrations; {@code liveRelease}: the
 * source id that is live (null when nothing is live, or what is live has no source id; on Cloudflare the
 * live version's tag, not its version id; the version id a rollback needs is in {@link Checkpoint}); and
 * {@code results}: one {@link CheckResult} per pre-deploy check, in the order they ran (any that blocks
 * stops the deployment before anything changes).
 *
 * <p>{@code checks}, {@code warnings}, {@code drift}, {@code preflight}, {@code policies} and {@code
 * checksumProblems} are what reports recorded before {@code results} existed carry (each check had its own
 * list then); reports made since leave them null and say everything in {@code results}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SchemaReport(
    List<DatabaseStatus> databases,
    String liveRelease,
    int attempt,
    List<MigrationCheck> checks,
    List<String> warnings,
    List<String> drift,
    List<String> preflight,
    List<PolicyResult> policies,
    List<ChecksumProblem> checksumProblems,
    List<CheckResult> results) {

  /** A report of the checks' {@code results} (the per-check lists of older reports left null). */
  public static SchemaReport of(
      List<DatabaseStatus> databases, String liveRelease, int attempt, List<CheckResult> results) {
    return new SchemaReport(databases, liveRelease, attempt, null, null, null, null, null, null, results);
  }
}
