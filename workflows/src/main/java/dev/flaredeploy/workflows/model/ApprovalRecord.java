package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One decision (or expiry) of an approval wait, as the report and {@code status} show it.
 *
 * @param decision {@code approved}, {@code rejected} or {@code expired}
 * @param by who decided ({@code user@host}); null for {@code expired}
 * @param at when (ISO-8601)
 * @param digest the digest decided on
 * @param reason as given; null when none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApprovalRecord(String decision, String by, String at, String digest, String reason) {}
