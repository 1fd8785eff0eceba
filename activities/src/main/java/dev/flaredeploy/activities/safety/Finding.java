package dev.flaredeploy.activities.safety;

/**
 * A problem with the migration files or their history, found without running them.
 *
 * @param code a stable identifier of the rule, e.g. {@code checksum.edited}, {@code sequence.gap}
 * @param subject the file(s) concerned
 * @param message what is wrong, in words
 * @param remedy how to fix it (or accept it)
 */
public record Finding(Severity severity, String code, String subject, String message, String remedy) {
  /** ERROR blocks a deployment until fixed or accepted; WARNING is reported only. */
  public enum Severity {
    WARNING,
    ERROR
  }

  /** {@code ERROR checksum.edited 0002_x.sql: …} */
  public String describe() {
    return severity + " " + code + " " + subject + ": " + message;
  }
}
