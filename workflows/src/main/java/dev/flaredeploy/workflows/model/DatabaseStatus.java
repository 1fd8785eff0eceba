package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** Applied (from the ledger table) and pending (in wrangler's order) migrations of one binding. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DatabaseStatus(String binding, List<String> applied, List<String> pending) {}
