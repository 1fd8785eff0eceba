package dev.flaredeploy.activities.safety;

/**
 * One effect of a migration on the schema.
 *
 * @param object what changed, e.g. {@code column notes.priority}, {@code table notes}, {@code index
 *     notes_by_slug}
 * @param detail what happened to it, in words
 * @param safeWay how to reach the same schema without breaking the live version (expand/contract), or
 *     why no care is needed
 */
public record ChangeFinding(ChangeKind kind, String object, String detail, String safeWay) {
  /** {@code DESTRUCTIVE column notes.priority: drops the column …} */
  public String describe() {
    return kind + " " + object + ": " + detail;
  }
}
