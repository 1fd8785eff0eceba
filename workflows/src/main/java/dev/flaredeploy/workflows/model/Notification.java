package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What the notify activity sends to one {@link NotifyTarget}: the event and what it is about. Holds no URL:
 * the activity reads it from the worker's environment variable {@code target.urlEnv()}.
 *
 * @param key the same for every attempt to send this event of this run (receivers may deduplicate on it)
 * @param event one of {@link NotifyTarget#EVENTS}
 * @param deploymentId the workflow id, e.g. {@code deploy:local:hello-d1:production}
 * @param state the run's state when the event happened (WAITING_FOR_APPROVAL, SUCCEEDED, …)
 * @param summary one line for a person
 * @param digest the plan digest an approval waits on; null for other events
 * @param hint what a person can do next (e.g. the approve command); null when nothing
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Notification(
    NotifyTarget target,
    String key,
    String event,
    String deploymentId,
    String runId,
    String service,
    String environment,
    String deploymentTarget,
    String state,
    String summary,
    String digest,
    String hint) {}
