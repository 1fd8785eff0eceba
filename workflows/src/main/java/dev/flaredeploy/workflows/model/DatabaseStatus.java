package dev.flaredeploy.workflows.model;

import java.util.List;

/** Applied (from the ledger table) and pending (in wrangler's order) migrations of one binding. */
public record DatabaseStatus(String binding, List<String> applied, List<String> pending) {}
