package dev.flaredeploy.activities.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A table (TOML) or object (JSON) of a parsed config file, addressed by its dotted key. Typed getters
 * return empty when a key is absent and throw {@link ConfigException} naming file, line and key when it
 * holds the wrong type; the readers add the checks of content.
 */
final class ConfigTable {
  private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

  private final Path file;
  private final ConfigSyntax syntax;
  private final String key;
  private final ConfigNode node;

  ConfigTable(Path file, ConfigSyntax syntax, String key, ConfigNode node) {
    if (!node.isTable()) {
      throw new IllegalArgumentException("not a table: " + key);
    }
    this.file = file;
    this.syntax = syntax;
    this.key = key;
    this.node = node;
  }

  Path file() {
    return file;
  }

  ConfigSyntax syntax() {
    return syntax;
  }

  /** Dotted key of this table; empty for the top level. */
  String key() {
    return key;
  }

  /** Line this table starts on; 0 for the top level. */
  int line() {
    return node.line();
  }

  Set<String> keys() {
    return node.table().keySet();
  }

  boolean has(String name) {
    return node.table().containsKey(name);
  }

  /** The dotted key of a key of this table; keys that are not bare are quoted as in TOML. */
  String keyOf(String name) {
    String part = BARE_KEY.matcher(name).matches() ? name : ConfigNode.quote(name);
    return key.isEmpty() ? part : key + "." + part;
  }

  /** Line of a key of this table, or this table's line when the key is absent. */
  int lineOf(String name) {
    ConfigNode child = node.table().get(name);
    return child == null ? line() : child.line();
  }

  Optional<ConfigValue<String>> string(String name) {
    return string(name, "a string");
  }

  /** A string, where a value of another type is reported as "expected {@code expected}, got …". */
  Optional<ConfigValue<String>> string(String name, String expected) {
    return child(name).map(child -> typed(name, child, String.class, expected));
  }

  Optional<ConfigValue<Long>> integer(String name, String expected) {
    return child(name).map(child -> typed(name, child, Long.class, expected));
  }

  Optional<ConfigValue<Boolean>> bool(String name) {
    return child(name).map(child -> typed(name, child, Boolean.class, "true or false"));
  }

  /** A value of any type (for values such as dates that may be written in more than one way). */
  Optional<ConfigValue<Object>> value(String name) {
    return child(name).map(child -> new ConfigValue<>(child.value(), file, lineOrElse(child, node), keyOf(name)));
  }

  Optional<ConfigTable> table(String name) {
    return child(name)
        .map(
            child -> {
              if (!child.isTable()) {
                throw wrongType(keyOf(name), child, syntax.tableWord());
              }
              return new ConfigTable(file, syntax, keyOf(name), child);
            });
  }

  /** An array whose elements are all tables: {@code [[name]]} in TOML, {@code [{…}, …]} in JSON. */
  Optional<List<ConfigTable>> tables(String name) {
    String expected = syntax == ConfigSyntax.TOML ? "an array of tables" : "an array of objects";
    return child(name)
        .map(
            child -> {
              if (!(child.value() instanceof List)) {
                throw wrongType(keyOf(name), child, expected);
              }
              List<ConfigTable> tables = new ArrayList<>();
              List<ConfigNode> elements = child.array();
              for (int i = 0; i < elements.size(); i++) {
                String elementKey = keyOf(name) + "[" + i + "]";
                if (!elements.get(i).isTable()) {
                  throw wrongType(elementKey, elements.get(i), syntax.tableWord());
                }
                tables.add(new ConfigTable(file, syntax, elementKey, elements.get(i)));
              }
              return tables;
            });
  }

  Optional<List<ConfigValue<String>>> strings(String name) {
    return child(name)
        .map(
            child -> {
              if (!(child.value() instanceof List)) {
                throw wrongType(keyOf(name), child, "an array of strings");
              }
              List<ConfigValue<String>> values = new ArrayList<>();
              List<ConfigNode> elements = child.array();
              for (int i = 0; i < elements.size(); i++) {
                ConfigNode element = elements.get(i);
                String elementKey = keyOf(name) + "[" + i + "]";
                if (!(element.value() instanceof String s)) {
                  throw wrongType(elementKey, element, "a string");
                }
                values.add(new ConfigValue<>(s, file, lineOrElse(element, child), elementKey));
              }
              return values;
            });
  }

  /** An array of integers; {@code expected} describes an element, for "expected …, got …". */
  Optional<ConfigValue<List<ConfigValue<Long>>>> integers(String name, String expected) {
    return child(name)
        .map(
            child -> {
              if (!(child.value() instanceof List)) {
                throw wrongType(keyOf(name), child, "an array of " + expected);
              }
              List<ConfigValue<Long>> values = new ArrayList<>();
              List<ConfigNode> elements = child.array();
              for (int i = 0; i < elements.size(); i++) {
                ConfigNode element = elements.get(i);
                String elementKey = keyOf(name) + "[" + i + "]";
                if (!(element.value() instanceof Long l)) {
                  throw wrongType(elementKey, element, expected);
                }
                values.add(new ConfigValue<>(l, file, lineOrElse(element, child), elementKey));
              }
              return new ConfigValue<>(List.copyOf(values), file, lineOrElse(child, node), keyOf(name));
            });
  }

  /** Every key of this table as a table, in file order (for {@code env}). */
  Map<String, ConfigTable> subtables() {
    Map<String, ConfigTable> tables = new LinkedHashMap<>();
    for (String name : keys()) {
      tables.put(name, table(name).orElseThrow());
    }
    return tables;
  }

  /** Throws for the first key not in {@code allowed}, suggesting the nearest allowed key. */
  void rejectUnknownKeys(Collection<String> allowed) {
    for (String name : keys()) {
      if (!allowed.contains(name)) {
        String suggestion = Suggestions.nearest(name, allowed).map(s -> "did you mean \"" + s + "\"? ").orElse("");
        throw new ConfigException(
            file,
            lineOf(name),
            keyOf(name),
            "unknown key; "
                + suggestion
                + "allowed here: "
                + String.join(", ", allowed));
      }
    }
  }

  /** A problem with a key of this table (at the key's line, or this table's line when it is absent). */
  ConfigException error(String name, String problem) {
    return new ConfigException(file, lineOf(name), keyOf(name), problem);
  }

  /** A problem with this table as a whole. */
  ConfigException error(String problem) {
    return new ConfigException(file, line(), key.isEmpty() ? null : key, problem);
  }

  private Optional<ConfigNode> child(String name) {
    return Optional.ofNullable(node.table().get(name));
  }

  private <T> ConfigValue<T> typed(String name, ConfigNode child, Class<T> type, String expected) {
    if (!type.isInstance(child.value())) {
      throw wrongType(keyOf(name), child, expected);
    }
    return new ConfigValue<>(type.cast(child.value()), file, lineOrElse(child, node), keyOf(name));
  }

  private ConfigException wrongType(String dottedKey, ConfigNode value, String expected) {
    return new ConfigException(
        file, lineOrElse(value, node), dottedKey, "expected " + expected + ", got " + value.describe(syntax));
  }

  private static int lineOrElse(ConfigNode node, ConfigNode parent) {
    return node.line() > 0 ? node.line() : parent.line();
  }
}
