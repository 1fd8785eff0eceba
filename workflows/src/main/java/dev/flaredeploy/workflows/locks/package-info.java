/**
 * One migrator per D1 database, across runs, services, fleets and machines: a small lock workflow per
 * database ({@link dev.flaredeploy.workflows.locks.DatabaseLockWorkflow}, id {@code d1-lock:<target>:<key>})
 * that grants its lock first in, first out, and takes it back from a holder whose run ended without
 * releasing it. The workflow id makes the lock: Temporal keeps one running workflow per id, on whichever
 * server the workers share, so the lock holds for workers on many machines where a file lock could not.
 *
 * <p>{@link dev.flaredeploy.workflows.locks.DatabaseLockActivitiesImpl} is the one piece here that talks to
 * the Temporal service (with the worker's own client): workflows cannot start another workflow with an
 * update, so a deployment asks through an activity. Nothing here touches files, processes or Cloudflare.
 */
package dev.flaredeploy.workflows.locks;
