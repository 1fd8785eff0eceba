package dev.flaredeploy.activities.safety;

/**
 * The effect of one schema change on the Worker version that is live while (and after) the migration
 * runs, from harmless to breaking. D1 has one schema for every version, so a change that the live
 * version cannot live with breaks it the moment the migration commits.
 */
public enum ChangeKind {
  /** Adds something the live version does not know about: a table, a nullable or defaulted column. */
  ADDITIVE,
  /**
   * Changes something without removing what the live version uses: an ordinary index dropped, a view or
   * trigger redefined, a constraint relaxed or added.
   */
  NEUTRAL,
  /**
   * A table created anew under its old name (SQLite's 12-step pattern), its rows copied: the only way
   * to change a column's type or constraints. Safe for the live version only if the new table accepts
   * everything it writes; other findings say where it does not.
   */
  TABLE_REBUILD,
  /** A table or column renamed: the live version still uses the old name. */
  RENAME,
  /** Removes what the live version may use or tightens what it may write: data or behaviour is lost. */
  DESTRUCTIVE;

  /** RENAME and DESTRUCTIVE changes break the live version: a deployment allows them only explicitly. */
  public boolean needsAllowance() {
    return this == RENAME || this == DESTRUCTIVE;
  }
}
