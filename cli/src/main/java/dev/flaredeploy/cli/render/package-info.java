/** Rendering of reports as text and JSON, and live progress. */
package dev.flaredeploy.cli.render;
