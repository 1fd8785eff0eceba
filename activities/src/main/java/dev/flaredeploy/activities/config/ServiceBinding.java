package dev.flaredeploy.activities.config;

/**
 * One wrangler service binding ({@code services = [{ binding = "AUTH", service = "auth-worker" }]}): this Worker
 * calls the Worker named {@code service}. A fleet deploys a Worker after the Workers of the same fleet it binds.
 *
 * @param binding the name the Worker reaches the other one by
 * @param service the bound Worker's name
 * @param environment the bound Worker's (legacy service) environment, or null
 */
public record ServiceBinding(String binding, String service, String environment) {}
