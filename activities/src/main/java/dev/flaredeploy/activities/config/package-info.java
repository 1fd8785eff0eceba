/**
 * Reading a project's configuration: the wrangler config as wrangler resolves it for one environment
 * (discovery, environments, non-inherited {@code d1_databases}, migration order) and flaredeploy's own
 * {@code flaredeploy.toml}. The entry point is {@link dev.flaredeploy.activities.config.ProjectConfigLoader};
 * every problem is a {@link dev.flaredeploy.activities.config.ConfigException} that names file, line and
 * key. Pure file reading: no wrangler, no network.
 */
package dev.flaredeploy.activities.config;
