package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One binding after apply-migrations: every migration its ledger holds now, in ledger order. What this
 * deployment applied is the part of it that validate-schema reported pending (robust to retries).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MigrationOutcome(String binding, List<String> ledger, int attempt) {}
