/** Workflow-side helpers that other modules must not use. */
package dev.flaredeploy.workflows.internal;
