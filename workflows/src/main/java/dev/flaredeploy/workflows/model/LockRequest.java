package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A deployment asks for the lock of one database: the input of the {@code lock-database} activity, which
 * starts the database's lock workflow when none runs.
 *
 * @param lockId the lock workflow's id ({@code DeploymentIds#databaseLockId})
 * @param taskQueue where the lock workflow runs (the deployment's own task queue)
 * @param database the database as people know it ({@code notes-db (7c9a1d7e-…)}), for the lock's summary
 * @param requester the deployment run that asks
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LockRequest(String lockId, String taskQueue, String database, LockHolder requester) {}
