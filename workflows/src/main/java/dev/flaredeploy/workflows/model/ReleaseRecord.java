package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One line of an environment's release journal: a deployment that succeeded and changed something, or a
 * rollback that put an earlier release live again. {@code flaredeploy releases} lists them; {@code flaredeploy
 * rollback} finds the release to put back, and the restore points to go back to, here.
 *
 * @param kind {@link #DEPLOYMENT} or {@link #ROLLBACK}
 * @param release the source id that went live (the release id a person names with {@code --to})
 * @param version the target's own id of that release (local: the source id; Cloudflare: the Worker version id);
 *     filled in by the record-release activity
 * @param url where the release answered
 * @param at when it went live (ISO-8601)
 * @param workflowId the deployment id ({@code deploy:<target>:<service>:<env>})
 * @param runId the run that put it live
 * @param previousVersion the release (target's id) that was live before, or null
 * @param databases per binding: what this run applied, the ledger after it, the restore point taken before it
 * @param plan the deployment's plan: what a rollback needs to put this release live again and smoke-test it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReleaseRecord(
    String kind,
    String release,
    String version,
    String url,
    String at,
    String commit,
    boolean dirty,
    String requestedBy,
    String workflowId,
    String runId,
    String previousVersion,
    List<DatabaseChange> databases,
    DeploymentPlan plan) {
  public static final String DEPLOYMENT = "deployment";
  public static final String ROLLBACK = "rollback";

  public ReleaseRecord {
    databases = databases == null ? List.of() : List.copyOf(databases);
  }

  /** This record with the target's version id of its release. */
  public ReleaseRecord withVersion(String targetVersion) {
    return new ReleaseRecord(kind, release, targetVersion, url, at, commit, dirty, requestedBy, workflowId, runId,
        previousVersion, databases, plan);
  }

  /** What this run did to {@code binding}'s database, if it is one of its databases. */
  public DatabaseChange database(String binding) {
    return databases.stream().filter(d -> d.binding().equals(binding)).findFirst().orElse(null);
  }

  /**
   * @param applied migrations this run applied to the database (empty: it did not change it)
   * @param ledgerAfter the database's ledger when the run ended
   * @param restorePoint where it was before this run changed it (null when the run took none)
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record DatabaseChange(String binding, List<String> applied, List<String> ledgerAfter, RestorePoint restorePoint) {
    public DatabaseChange {
      applied = applied == null ? List.of() : List.copyOf(applied);
      ledgerAfter = ledgerAfter == null ? List.of() : List.copyOf(ledgerAfter);
    }
  }
}
