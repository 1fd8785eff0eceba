package dev.flaredeploy.activities.config;

import java.util.List;
import java.util.Map;

/**
 * One parsed value of a TOML or JSON document and the line it was written on: the common shape both
 * readers work on, so that every error can name a line.
 *
 * @param value a {@code Map<String, ConfigNode>} (table / object, in file order), a {@code
 *     List<ConfigNode>} (array), a {@code String}, a {@code Long}, a {@code Boolean}, a {@code Double},
 *     another number or a TOML date/time, or null (JSON {@code null})
 * @param line 1-based, 0 when not known (the root of a document)
 */
record ConfigNode(Object value, int line) {

  boolean isTable() {
    return value instanceof Map;
  }

  @SuppressWarnings("unchecked")
  Map<String, ConfigNode> table() {
    return (Map<String, ConfigNode>) value;
  }

  @SuppressWarnings("unchecked")
  List<ConfigNode> array() {
    return (List<ConfigNode>) value;
  }

  /** How a value is shown after "got" in a message: strings quoted, numbers as written, else its kind. */
  String describe(ConfigSyntax syntax) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String s) {
      return quote(s);
    }
    if (value instanceof Map) {
      return syntax.tableWord();
    }
    if (value instanceof List) {
      return "an array";
    }
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    return "a date/time (" + value + ")";
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
