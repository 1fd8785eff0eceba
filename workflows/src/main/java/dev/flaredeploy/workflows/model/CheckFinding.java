package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One thing a pre-deploy check found.
 *
 * @param severity {@link #ERROR} (blocks the deployment), {@link #WARNING} (shown, lets it through) or
 *     {@link #INFO} (what was checked and seen)
 * @param database the D1 binding it is about; null when it is about the deployment as a whole
 * @param subject what it is about: a migration file, a policy rule, a schema object
 * @param code a short stable word for the kind of finding, per check (a migration's classification such
 *     as {@code DESTRUCTIVE}, a policy outcome, {@code EDITED}, {@code duplicates}); null when none
 * @param message the finding in words, naming the database and what it is about (it stands alone)
 * @param details further lines (a migration's effects, offending keys); never values of columns other
 *     than the constrained ones or the primary key
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CheckFinding(
    String severity, String database, String subject, String code, String message, List<String> details) {
  public static final String ERROR = "error";
  public static final String WARNING = "warning";
  public static final String INFO = "info";

  public CheckFinding {
    details = details == null ? List.of() : List.copyOf(details);
  }

  public boolean blocks() {
    return ERROR.equals(severity);
  }
}
