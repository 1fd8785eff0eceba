package dev.flaredeploy.activities.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Parses TOML and JSON config files into {@link ConfigTable}s that remember lines. Syntax errors become
 * {@link ConfigException}s with the file and line of the first error.
 */
final class ConfigFiles {
  /**
   * JSON as wrangler reads it, for {@code .json} as well as {@code .jsonc}: comments and trailing commas
   * allowed.
   */
  private static final JsonFactory JSONC =
      JsonFactory.builder()
          .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .build();

  private ConfigFiles() {}

  /** A config file read as TOML when its name ends in {@code .toml}, else as JSON ({@code .json}, {@code .jsonc}). */
  static ConfigTable readByExtension(Path file) {
    return file.getFileName().toString().endsWith(".toml") ? readToml(file) : readJson(file);
  }

  static ConfigTable readToml(Path file) {
    TomlParseResult result;
    try {
      result = Toml.parse(file);
    } catch (IOException e) {
      throw unreadable(file, e);
    }
    if (result.hasErrors()) {
      TomlParseError first = result.errors().get(0);
      String more =
          result.errors().size() > 1 ? " (and " + (result.errors().size() - 1) + " more errors)" : "";
      throw new ConfigException(
          file,
          first.position() == null ? 0 : first.position().line(),
          null,
          "not valid TOML: " + first.getMessage() + more + "; fix the syntax near this line");
    }
    return new ConfigTable(file, ConfigSyntax.TOML, "", new ConfigNode(tomlTable(result), 0));
  }

  static ConfigTable readJson(Path file) {
    try (JsonParser parser = JSONC.createParser(file.toFile())) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw new ConfigException(
            file,
            lineOf(parser.currentTokenLocation()),
            null,
            "expected an object at the top level, got "
                + (first == null ? "an empty file" : parser.getText())
                + "; the file must hold one JSON object such as {\"name\": \"my-worker\"}");
      }
      ConfigNode root = jsonValue(parser);
      if (parser.nextToken() != null) {
        throw new ConfigException(
            file,
            lineOf(parser.currentTokenLocation()),
            null,
            "unexpected content after the top-level object; the file must hold exactly one JSON object");
      }
      return new ConfigTable(file, ConfigSyntax.JSON, "", new ConfigNode(root.value(), 0));
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          file,
          lineOf(e.getLocation()),
          null,
          "not valid JSON: "
              + e.getOriginalMessage().lines().findFirst().orElse("")
              + "; fix the syntax near this line",
          e);
    } catch (IOException e) {
      throw unreadable(file, e);
    }
  }

  private static Map<String, ConfigNode> tomlTable(TomlTable table) {
    // in file order, so that lists shown to users (environment names) read like the file
    List<String> keys = new ArrayList<>(table.keySet());
    keys.sort(Comparator.comparingInt((String k) -> lineOf(table.inputPositionOf(List.of(k)))));
    Map<String, ConfigNode> nodes = new LinkedHashMap<>();
    for (String key : keys) {
      nodes.put(
          key, new ConfigNode(tomlValue(table.get(List.of(key))), lineOf(table.inputPositionOf(List.of(key)))));
    }
    return nodes;
  }

  private static Object tomlValue(Object value) {
    if (value instanceof TomlTable table) {
      return tomlTable(table);
    }
    if (value instanceof TomlArray array) {
      List<ConfigNode> nodes = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        nodes.add(new ConfigNode(tomlValue(array.get(i)), lineOf(array.inputPositionOf(i))));
      }
      return nodes;
    }
    return value;
  }

  /** Reads the value whose first token is the parser's current token. */
  private static ConfigNode jsonValue(JsonParser parser) throws IOException {
    int line = lineOf(parser.currentTokenLocation());
    JsonToken token = parser.currentToken();
    return switch (token) {
      case START_OBJECT -> {
        Map<String, ConfigNode> fields = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          parser.nextToken();
          fields.put(name, jsonValue(parser));
        }
        yield new ConfigNode(fields, line);
      }
      case START_ARRAY -> {
        List<ConfigNode> elements = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          elements.add(jsonValue(parser));
        }
        yield new ConfigNode(elements, line);
      }
      case VALUE_STRING -> new ConfigNode(parser.getText(), line);
      case VALUE_NUMBER_INT -> {
        JsonParser.NumberType type = parser.getNumberType();
        Object number =
            type == JsonParser.NumberType.BIG_INTEGER
                ? parser.getBigIntegerValue()
                : parser.getLongValue();
        yield new ConfigNode(number, line);
      }
      case VALUE_NUMBER_FLOAT -> new ConfigNode(parser.getDoubleValue(), line);
      case VALUE_TRUE -> new ConfigNode(Boolean.TRUE, line);
      case VALUE_FALSE -> new ConfigNode(Boolean.FALSE, line);
      case VALUE_NULL -> new ConfigNode(null, line);
      default -> throw new IllegalStateException("unexpected JSON token " + token);
    };
  }

  private static int lineOf(TomlPosition position) {
    return position == null ? 0 : position.line();
  }

  private static int lineOf(JsonLocation location) {
    return location == null ? 0 : Math.max(location.getLineNr(), 0);
  }

  private static ConfigException unreadable(Path file, IOException e) {
    return new ConfigException(
        file, 0, null, "cannot be read: " + e + "; check that it exists and is readable", e);
  }
}
