package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * An approve or reject update's argument.
 *
 * @param digest the plan digest the person saw and approves; null for a reject
 * @param by who decides: {@code user@host} of the CLI process that sent it
 * @param reason why (required for a reject; optional for an approve)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ApprovalDecision(String digest, String by, String reason) {}
