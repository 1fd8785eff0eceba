/**
 * The pre-deploy checks, one class each ({@link dev.flaredeploy.activities.gate.Check}): preflight, policies,
 * checksums, migration safety in a shadow of the live schema, data probes, drift, rollout compatibility and
 * migration-file warnings. Each owns its findings, remedy and failure type and reports one generic {@link
 * dev.flaredeploy.workflows.model.CheckResult}; {@link dev.flaredeploy.activities.gate.Gate} runs them over one
 * {@link dev.flaredeploy.activities.gate.GateContext} per run, which reads each database once (its schema,
 * ledger and recorded checksums, never its data). Used by the validate-schema activity and by {@code
 * flaredeploy plan}; both read only.
 */
package dev.flaredeploy.activities.gate;
