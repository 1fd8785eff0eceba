/**
 * Notifications of deployment events to webhooks ({@code [[notify]]}): the URL comes from the worker's
 * environment, never from Temporal, and never appears in a result, a warning or a log line.
 */
package dev.flaredeploy.activities.notify;
