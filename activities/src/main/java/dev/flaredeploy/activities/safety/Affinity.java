package dev.flaredeploy.activities.safety;

import java.util.Locale;

/**
 * A column's type affinity, derived from its declared type by SQLite's rules (datatype3 §3.1), which is
 * what decides how SQLite converts the values stored in it.
 */
public enum Affinity {
  INTEGER,
  TEXT,
  BLOB,
  REAL,
  NUMERIC;

  /** The affinity SQLite gives a column declared with {@code declaredType} (null or empty: BLOB). */
  public static Affinity of(String declaredType) {
    String type = declaredType == null ? "" : declaredType.toUpperCase(Locale.ROOT);
    if (type.contains("INT")) {
      return INTEGER;
    }
    if (type.contains("CHAR") || type.contains("CLOB") || type.contains("TEXT")) {
      return TEXT;
    }
    if (type.contains("BLOB") || type.isBlank()) {
      return BLOB;
    }
    if (type.contains("REAL") || type.contains("FLOA") || type.contains("DOUB")) {
      return REAL;
    }
    return NUMERIC;
  }

  /**
   * Whether every value a column of this affinity holds keeps its value and storage class when the column
   * becomes {@code target}: BLOB (no conversion) takes anything; INTEGER widens to NUMERIC and REAL;
   * REAL to NUMERIC; numbers to TEXT (as their text). Everything else may convert stored values, e.g.
   * TEXT to INTEGER turns {@code '007'} into {@code 7}.
   */
  public boolean widensTo(Affinity target) {
    if (target == this || target == BLOB) {
      return true;
    }
    return switch (this) {
      case INTEGER -> target == NUMERIC || target == REAL || target == TEXT;
      case REAL, NUMERIC -> target == NUMERIC || target == TEXT;
      case TEXT, BLOB -> false;
    };
  }
}
