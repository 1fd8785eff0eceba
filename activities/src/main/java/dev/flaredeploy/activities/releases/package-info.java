/**
 * The release journal of each environment ({@link dev.flaredeploy.activities.releases.ReleaseJournal}), what
 * {@code flaredeploy releases} lists and what a rollback works out from it ({@link
 * dev.flaredeploy.activities.releases.RollbackPlanner}, with {@link dev.flaredeploy.activities.releases.RestoreEligibility}
 * deciding whether a database may go back to a restore point).
 */
package dev.flaredeploy.activities.releases;
