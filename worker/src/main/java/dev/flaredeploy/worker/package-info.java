/**
 * Wiring: Temporal connections from settings and environment, the worker that runs deployments, search
 * attribute setup, the in-memory dev server and embedded mode.
 */
package dev.flaredeploy.worker;
