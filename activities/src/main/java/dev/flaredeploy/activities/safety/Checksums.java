package dev.flaredeploy.activities.safety;

import dev.flaredeploy.workflows.model.ChecksumProblem;
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
 * #CREATE_TABLE}) and compares it with the files on every deployment ({@link #problems}). A difference
 * blocks until the file is restored or the new state is accepted with a reason ({@link #acceptStatement}).
 *
 * <p>The statements are plain SQLite, the same on the local target and on D1; every one of them may run
 * any number of times.
 */
public final class Checksums {
  /** flaredeploy's checksum table. */
  public static final String TABLE = "flaredeploy_migration_checksums";

  /**
   * Creates the checksum table when missing; safe to run before every write. {@code applied_at} is when the
   * checksum was recorded (right after the apply), in the database's UTC {@code CURRENT_TIMESTAMP}; the
   * {@code accepted_*} columns say who accepted a changed or removed file, when, and why.
   */
  public static final String CREATE_TABLE =
      "CREATE TABLE IF NOT EXISTS " + TABLE + "(name TEXT PRIMARY KEY, sha256 TEXT NOT NULL,"
          + " applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, accepted_reason TEXT, accepted_by TEXT,"
          + " accepted_at TEXT);";

  /** Reads the recorded checksums, one row per migration, columns as in {@link Recorded}. */
  public static final String SELECT =
      "SELECT name, sha256, applied_at, accepted_reason, accepted_by, accepted_at FROM " + TABLE
          + " ORDER BY name;";

  /** The sha256 recorded for an applied migration whose file was deliberately removed. */
  public static final String VANISHED = "vanished";

  /** One row of the checksum table. */
  public record Recorded(
      String name, String sha256, String appliedAt, String acceptedReason, String acceptedBy, String acceptedAt) {}

  /**
   * What comparing the ledger with the files found.
   *
   * @param problems edited and vanished migrations: they block
   * @param unrecorded applied migrations that have a file but no recorded checksum (applied before
   *     flaredeploy kept checksums, or by wrangler directly): the next apply on this database adopts their
   *     current files' checksums
   */
  public record Verification(List<ChecksumProblem> problems, List<String> unrecorded) {}

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
   * Compares the applied migrations of one database with its files.
   *
   * @param binding for the problems' messages
   * @param applied the names the ledger records
   * @param recorded name → row of the checksum table
   * @param current name → sha256 of the files in the migrations directory now (the pinned source)
   */
  public static Verification problems(
      String binding, Collection<String> applied, Map<String, Recorded> recorded, Map<String, String> current) {
    List<ChecksumProblem> problems = new ArrayList<>();
    List<String> unrecorded = new ArrayList<>();
    for (String name : applied) {
      Recorded row = recorded.get(name);
      String was = row == null ? null : row.sha256();
      String when = row == null ? null : row.appliedAt();
      String now = current.get(name);
      if (now == null) {
        if (!VANISHED.equals(was)) {
          problems.add(new ChecksumProblem(binding, name, ChecksumProblem.VANISHED, was, null, when,
              binding + " " + name + " was applied" + (when == null ? "" : " (" + when + " UTC)")
                  + " but its file no longer exists; a database built from the files would differ from"
                  + " this one"));
        }
      } else if (was == null) {
        unrecorded.add(name);
      } else if (VANISHED.equals(was)) {
        problems.add(new ChecksumProblem(binding, name, ChecksumProblem.EDITED, was, now, when,
            binding + " " + name + ": its removal was accepted, but the file is back (sha256 "
                + abbreviate(now) + ")"));
      } else if (!was.equalsIgnoreCase(now)) {
        problems.add(new ChecksumProblem(binding, name, ChecksumProblem.EDITED, was, now, when,
            binding + " " + name + " was edited after it was applied" + (when == null ? "" : " (" + when + " UTC)")
                + ": sha256 " + abbreviate(was) + " then, " + abbreviate(now) + " now; wrangler will not"
                + " run it again, so the edit never reaches this database"));
      }
    }
    return new Verification(List.copyOf(problems), List.copyOf(unrecorded));
  }

  /**
   * Records the checksums of applied migrations, creating the table first; keeps every existing record
   * (an accepted one included), so it may run after every apply and again after a retry.
   *
   * @param checksums name → sha256, of migrations the ledger lists
   */
  public static String recordStatement(Map<String, String> checksums) {
    StringBuilder sql = new StringBuilder(CREATE_TABLE);
    checksums.forEach((name, sha256) -> sql.append('\n').append("INSERT OR IGNORE INTO ").append(TABLE)
        .append("(name, sha256) VALUES(").append(literal(name)).append(", ").append(literal(sha256)).append(");"));
    return sql.toString();
  }

  /**
   * Accepts the current file of an edited migration (or, with {@link #VANISHED}, the removal of its file):
   * the checksum replaces the recorded one, with who, when and why. Creates the table first.
   */
  public static String acceptStatement(String name, String sha256, String reason, String acceptedBy) {
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("accepting a changed migration needs a reason");
    }
    return CREATE_TABLE + "\nINSERT INTO " + TABLE + "(name, sha256, accepted_reason, accepted_by, accepted_at)"
        + " VALUES(" + literal(name) + ", " + literal(sha256) + ", " + literal(reason) + ", "
        + literal(acceptedBy == null ? "unknown" : acceptedBy) + ", CURRENT_TIMESTAMP) ON CONFLICT(name) DO UPDATE"
        + " SET sha256 = excluded.sha256, accepted_reason = excluded.accepted_reason,"
        + " accepted_by = excluded.accepted_by, accepted_at = excluded.accepted_at;";
  }

  /** A SQL string literal: {@code it's} → {@code 'it''s'}; refuses NUL, which SQLite would cut at. */
  public static String literal(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a SQL literal cannot hold NUL characters");
    }
    return "'" + value.replace("'", "''") + "'";
  }

  /** The first 12 hex digits of a sha256, as messages show it. */
  public static String abbreviate(String sha256) {
    if (sha256 == null) {
      return "none";
    }
    return sha256.length() > 12 ? sha256.substring(0, 12) : sha256;
  }
}
