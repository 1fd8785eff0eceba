/**
 * Records that cross the wire (workflow input, activity inputs and results, the report). They change only
 * by adding components; unknown fields are ignored when read.
 */
package dev.flaredeploy.workflows.model;
