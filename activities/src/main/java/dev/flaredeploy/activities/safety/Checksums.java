package dev.flaredeploy.activities.safety;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Edited and vanished migrations. wrangler's ledger records applied migrations by name only, so
 * flaredeploy keeps the sha256 of each applied file in its own table of the same database ({@link
 * #CREATE_TABLE}) and compares it with the files on every deployment. A difference blocks until the file
 * is restored or the new state is accepted with a reason ({@link #acceptStatement}, {@link
 * #acceptVanishedStatement}).
 */
public final class Checksums {
  /** flaredeploy's checksum table. */
  public static final String TABLE = "flaredeploy_migration_checksums";

  /** Creates the checksum table when missing; safe to run before every write. */
  public static final String CREATE_TABLE =
      "CREATE TABLE IF NOT EXISTS " + TABLE + "(name TEXT PRIMARY KEY, sha256 TEXT NOT NULL,"
          + " applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, accepted_reason TEXT);";

  /** Reads the recorded checksums (name → sha256). */
  public static final String SELECT = "SELECT name, sha256 FROM " + TABLE + " ORDER BY name;";

  /** The sha256 recorded for an applied migration whose file was deliberately removed. */
  public static final String VANISHED = "vanished";

  private Checksums() {}

  /** The lower-case hex sha256 of {@code bytes}, as recorded. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  public static String sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Compares the applied migrations with the files.
   *
   * @param applied the names the ledger records
   * @param recorded name → sha256 from the checksum table
   * @param current name → sha256 of the files in the migrations directory now
   * @return an ERROR per applied file that changed since it was applied ({@code checksum.edited}) or
   *     that no longer exists ({@code checksum.vanished}); a WARNING per applied file without a recorded
   *     checksum ({@code checksum.unrecorded}: applied before flaredeploy, record it with {@link
   *     #insertStatement})
   */
  public static List<Finding> verify(
      Collection<String> applied, Map<String, String> recorded, Map<String, String> current) {
    List<Finding> findings = new ArrayList<>();
    for (String name : applied) {
      String was = recorded.get(name);
      String now = current.get(name);
      if (now == null) {
        if (!VANISHED.equals(was)) {
          findings.add(
              new Finding(
                  Finding.Severity.ERROR,
                  "checksum.vanished",
                  name,
                  "was applied to this database but the file no longer exists; a fresh database built"
                      + " from the files would differ from this one",
                  "restore the file from version control, or accept its removal with a reason"
                      + " (flaredeploy migrations accept " + name + " --reason …)"));
        }
      } else if (was == null) {
        findings.add(
            new Finding(
                Finding.Severity.WARNING,
                "checksum.unrecorded",
                name,
                "was applied without flaredeploy, so there is no checksum to compare; the current"
                    + " file's (" + abbreviate(now) + ") will be recorded",
                "nothing to do unless the file was edited after it was applied"));
      } else if (VANISHED.equals(was)) {
        findings.add(
            new Finding(
                Finding.Severity.ERROR,
                "checksum.edited",
                name,
                "its removal was accepted, but the file is back (sha256 " + abbreviate(now) + ")",
                "remove the file again, or accept it with a reason"));
      } else if (!was.equalsIgnoreCase(now)) {
        findings.add(
            new Finding(
                Finding.Severity.ERROR,
                "checksum.edited",
                name,
                "was edited after it was applied (sha256 " + abbreviate(was) + " when applied, "
                    + abbreviate(now) + " now): wrangler will not run it again, so the edit never"
                    + " reaches this database",
                "restore the applied version and put the change in a new migration, or accept the"
                    + " edit with a reason (flaredeploy migrations accept " + name + " --reason …)"));
      }
    }
    return List.copyOf(findings);
  }

  /**
   * Records an applied migration's checksum; keeps an existing record. Run it in the same batch as the
   * migration (after wrangler's ledger row) or right after it.
   */
  public static String insertStatement(String name, String sha256) {
    return "INSERT INTO " + TABLE + "(name, sha256) VALUES(" + literal(name) + ", "
        + literal(sha256) + ") ON CONFLICT(name) DO NOTHING;";
  }

  /** Accepts the current file of an edited migration: its checksum replaces the recorded one. */
  public static String acceptStatement(String name, String sha256, String reason) {
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("accepting a changed migration needs a reason");
    }
    return "INSERT INTO " + TABLE + "(name, sha256, accepted_reason) VALUES(" + literal(name) + ", "
        + literal(sha256) + ", " + literal(reason) + ") ON CONFLICT(name) DO UPDATE SET"
        + " sha256 = excluded.sha256, accepted_reason = excluded.accepted_reason;";
  }

  /** Accepts that an applied migration's file is gone. */
  public static String acceptVanishedStatement(String name, String reason) {
    return acceptStatement(name, VANISHED, reason);
  }

  /** A SQL string literal: {@code it's} → {@code 'it''s'}; refuses NUL, which SQLite would cut at. */
  public static String literal(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a SQL literal cannot hold NUL characters");
    }
    return "'" + value.replace("'", "''") + "'";
  }

  private static String abbreviate(String sha256) {
    return sha256.length() > 12 ? sha256.substring(0, 12) + "…" : sha256;
  }
}
