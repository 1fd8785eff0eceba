/**
 * The pre-deploy policies of flaredeploy.toml's {@code [policy]} (freeze windows, allowed branches, a clean
 * working tree, required Worker secrets), evaluated by validate-schema and {@code flaredeploy plan} alike.
 * Pure logic: the time comes from a clock and the secret names from the target, both given by the caller.
 */
package dev.flaredeploy.activities.policy;
