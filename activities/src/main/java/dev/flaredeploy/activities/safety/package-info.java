/**
 * Migration safety, the pure analysis core: given a database's schema (its {@code sqlite_master} rows, never
 * its data), migration files, names and checksums, it says what a deployment's migrations would do before
 * anything touches a database, and which read-only probes of the live rows decide what the schema alone
 * cannot. No Temporal, no wrangler, no network; the only engine is an in-memory SQLite (sqlite-jdbc), the
 * engine under D1.
 *
 * <ul>
 *   <li>{@link dev.flaredeploy.activities.safety.ShadowDatabase}: build a shadow from a schema (or load SQL
 *       text), apply migrations one by one as D1 would (one transaction each, foreign keys on), fail with
 *       file, statement and SQLite's message ({@link dev.flaredeploy.activities.safety.ShadowMigrationException});
 *   <li>{@link dev.flaredeploy.activities.safety.ShadowTrial}: a database's pending migrations tried in a
 *       shadow of its schema, each classified, with the statements whose outcome depends on the live rows
 *       and the bounded probes that decide them ({@link dev.flaredeploy.activities.safety.DataDependency});
 *   <li>{@link dev.flaredeploy.activities.safety.Schema}: tables, columns, indexes, foreign keys, checks,
 *       views, triggers, read from SQLite's catalogue; {@link dev.flaredeploy.activities.safety.SchemaDiff}
 *       compares two;
 *   <li>{@link dev.flaredeploy.activities.safety.MigrationClassifier}: classify each migration by its
 *       effect (additive, neutral, table rebuild, rename, destructive) with the expand/contract way;
 *   <li>{@link dev.flaredeploy.activities.safety.DriftReport}: live schema versus the schema the applied
 *       migrations produce from empty;
 *   <li>{@link dev.flaredeploy.activities.safety.Checksums}, {@link
 *       dev.flaredeploy.activities.safety.SequenceCheck}, {@link
 *       dev.flaredeploy.activities.safety.WranglerCompatibility}: edited or vanished files, numbering,
 *       text that wrangler or D1 would mishandle, as {@link dev.flaredeploy.activities.safety.Finding}s.
 * </ul>
 *
 * <p>Policies (what blocks, what an override allows) belong to the caller: this package reports kinds
 * and severities only.
 */
package dev.flaredeploy.activities.safety;
