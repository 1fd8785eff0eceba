/**
 * Smoke checks: HTTP GETs against a release, repeated in rounds until all pass in one round or the smoke
 * timeout passes. {@link dev.flaredeploy.activities.smoke.SmokeChecker} only reads; it is safe to run
 * any number of times.
 */
package dev.flaredeploy.activities.smoke;
