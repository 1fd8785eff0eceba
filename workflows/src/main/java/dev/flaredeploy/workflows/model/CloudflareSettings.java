package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What the Cloudflare target needs of the wrangler config, read once by prepare from the pinned source, so
 * that later steps call Cloudflare without reading the snapshot again.
 *
 * @param workerName the Worker's name in the plan's environment, as wrangler resolves it (the environment's
 *     {@code name}, else {@code <name>-<environment>}; the top-level {@code name} for the default one)
 * @param accountId {@code account_id} of the environment (inherited from the top level); null when the config
 *     sets none (then {@code CLOUDFLARE_ACCOUNT_ID}, else the token's only account)
 * @param complianceRegion {@code compliance_region} of the environment (inherited); null when none
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CloudflareSettings(String workerName, String accountId, String complianceRegion) {}
