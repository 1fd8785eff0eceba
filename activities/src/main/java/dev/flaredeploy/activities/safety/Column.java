package dev.flaredeploy.activities.safety;

/**
 * A column as {@code PRAGMA table_xinfo} describes it.
 *
 * @param position 0-based ({@code cid})
 * @param declaredType as written in the table definition, empty when none
 * @param defaultValue the default's SQL text as written ({@code 'x'}, {@code 0}, {@code
 *     CURRENT_TIMESTAMP}), null when none
 * @param primaryKeyPosition 1-based position in the primary key, 0 when not part of it
 * @param generated whether the column is computed from others
 * @param hidden a hidden column of a virtual table
 */
public record Column(
    String name,
    int position,
    String declaredType,
    Affinity affinity,
    boolean notNull,
    String defaultValue,
    int primaryKeyPosition,
    Generated generated,
    boolean hidden) {

  /** How a generated column is stored. */
  public enum Generated {
    NONE,
    VIRTUAL,
    STORED
  }

  /** Whether an {@code INSERT} that does not name this column still succeeds. */
  public boolean optionalOnInsert() {
    return !notNull || defaultValue != null || generated != Generated.NONE || isRowidAlias();
  }

  /** {@code INTEGER PRIMARY KEY}: SQLite fills it in. */
  boolean isRowidAlias() {
    return primaryKeyPosition > 0 && "INTEGER".equalsIgnoreCase(declaredType.strip());
  }

  /** Equal apart from name and position: what survives a rename. */
  public boolean sameDefinitionAs(Column other) {
    return declaredType.equalsIgnoreCase(other.declaredType)
        && notNull == other.notNull
        && java.util.Objects.equals(defaultValue, other.defaultValue)
        && primaryKeyPosition == other.primaryKeyPosition
        && generated == other.generated
        && hidden == other.hidden;
  }

  /** The column as one would declare it: {@code priority INTEGER NOT NULL DEFAULT 0}. */
  public String describe() {
    StringBuilder out = new StringBuilder(name);
    if (!declaredType.isEmpty()) {
      out.append(' ').append(declaredType);
    }
    if (primaryKeyPosition > 0) {
      out.append(" PRIMARY KEY");
    }
    if (notNull) {
      out.append(" NOT NULL");
    }
    if (defaultValue != null) {
      out.append(" DEFAULT ").append(defaultValue);
    }
    if (generated != Generated.NONE) {
      out.append(" GENERATED ").append(generated);
    }
    return out.toString();
  }
}
