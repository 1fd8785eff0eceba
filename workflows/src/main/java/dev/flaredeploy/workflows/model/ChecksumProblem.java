package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * An applied migration whose file no longer is what was applied: validate-schema blocks the deployment
 * until the file is restored or the change is accepted ({@code flaredeploy migrations accept}).
 *
 * @param kind {@code EDITED} (the file's sha256 differs from the recorded one, or a file whose removal
 *     was accepted is back) or {@code VANISHED} (the ledger lists it, the migrations directory does not)
 * @param recordedSha256 the sha256 flaredeploy recorded when it was applied (or last accepted); null when
 *     none was recorded; {@code "vanished"} when its removal was accepted
 * @param currentSha256 the sha256 of the file now; null when it vanished
 * @param appliedAt when the checksum was recorded (right after the apply), as the database's UTC
 *     timestamp {@code YYYY-MM-DD HH:MM:SS}; null when unknown
 * @param message the problem in words, naming the file
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChecksumProblem(
    String binding,
    String file,
    String kind,
    String recordedSha256,
    String currentSha256,
    String appliedAt,
    String message) {
  public static final String EDITED = "EDITED";
  public static final String VANISHED = "VANISHED";
}
