package dev.flaredeploy.activities.local;

import dev.flaredeploy.activities.safety.SqlStatement;
import dev.flaredeploy.activities.safety.SqlStatements;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statements workerd's authorizer refuses in a D1 database ({@code SqliteDatabase::isAuthorized} in
 * workerd's {@code src/workerd/util/sqlite.c++}), recognised before a migration runs here so that a
 * migration local D1 refuses ("not authorized: SQLITE_AUTH") is refused by the direct apply too: a {@code
 * PRAGMA} not on workerd's list (or with an argument it does not take), temporary objects, {@code ATTACH}
 * and {@code DETACH}, virtual tables other than FTS5 and R*Tree, and objects whose names start with D1's
 * reserved {@code _cf_}. Not covered: workerd's list of allowed SQL functions. Pure.
 */
final class D1Authorizer {
  private enum Argument { NONE, BOOLEAN, OBJECT_NAME, OPTIONAL_OBJECT_NAME, NUMBER, NUMBER_OR_OBJECT_NAME, ANY_NAME }

  /** workerd's {@code ALLOWED_PRAGMAS}, with the arguments each accepts, and the listing pragmas. */
  private static final Map<String, Argument> PRAGMAS = Map.ofEntries(
      Map.entry("data_version", Argument.NONE),
      Map.entry("page_size", Argument.NONE),
      Map.entry("case_sensitive_like", Argument.BOOLEAN),
      Map.entry("foreign_keys", Argument.BOOLEAN),
      Map.entry("defer_foreign_keys", Argument.BOOLEAN),
      Map.entry("ignore_check_constraints", Argument.BOOLEAN),
      Map.entry("legacy_alter_table", Argument.BOOLEAN),
      Map.entry("recursive_triggers", Argument.BOOLEAN),
      Map.entry("reverse_unordered_selects", Argument.BOOLEAN),
      Map.entry("foreign_key_check", Argument.OPTIONAL_OBJECT_NAME),
      Map.entry("foreign_key_list", Argument.OBJECT_NAME),
      Map.entry("index_info", Argument.OBJECT_NAME),
      Map.entry("index_list", Argument.OBJECT_NAME),
      Map.entry("index_xinfo", Argument.OBJECT_NAME),
      Map.entry("quick_check", Argument.NUMBER_OR_OBJECT_NAME),
      Map.entry("optimize", Argument.NUMBER),
      Map.entry("table_list", Argument.ANY_NAME),
      Map.entry("table_info", Argument.OBJECT_NAME),
      Map.entry("table_xinfo", Argument.OBJECT_NAME));

  private static final Set<String> BOOLEANS = Set.of("true", "false", "yes", "no", "on", "off", "1", "0");
  private static final Set<String> VIRTUAL_MODULES = Set.of("fts5", "fts5vocab", "rtree", "rtree_i32");

  private static final String NAME = "(?:\"(?:[^\"]|\"\")*\"|`[^`]*`|\\[[^\\]]*\\]|[\\w$]+)";
  private static final Pattern PRAGMA = Pattern.compile(
      "PRAGMA\\s+(?:(" + NAME + ")\\s*\\.\\s*)?(" + NAME + ")\\s*(?:=\\s*(.*?)|\\(\\s*(.*?)\\s*\\))?\\s*;?\\s*",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern TEMPORARY = Pattern.compile("CREATE\\s+(?:TEMP|TEMPORARY)\\b.*",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern ATTACH = Pattern.compile("(?:ATTACH|DETACH)\\b.*",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern VIRTUAL = Pattern.compile("CREATE\\s+VIRTUAL\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?"
      + "(?:" + NAME + "\\s*\\.\\s*)?" + NAME + "\\s+USING\\s+(" + NAME + ").*", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
  private static final Pattern CREATE_OBJECT = Pattern.compile("CREATE\\s+(?:UNIQUE\\s+|VIRTUAL\\s+)?"
      + "(?:TABLE|INDEX|VIEW|TRIGGER)\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?(?:" + NAME + "\\s*\\.\\s*)?(" + NAME + ").*",
      Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

  private D1Authorizer() {}

  /** The first statement of {@code sql} (one piece of a batch) that D1 would refuse, if any. */
  static Optional<String> refused(String sql) {
    for (SqlStatement statement : SqlStatements.split(sql)) {
      String text = statement.sql().strip();
      if (!allowed(text)) {
        return Optional.of(statement.excerpt(80));
      }
    }
    return Optional.empty();
  }

  static boolean allowed(String statement) {
    Matcher pragma = PRAGMA.matcher(statement);
    if (pragma.matches()) {
      String schema = pragma.group(1);
      if (schema != null && !unquote(schema).equalsIgnoreCase("main")) {
        return false;
      }
      String value = pragma.group(3) != null ? pragma.group(3) : pragma.group(4);
      return pragmaAllowed(unquote(pragma.group(2)).toLowerCase(Locale.ROOT), value == null ? null : value.strip());
    }
    if (TEMPORARY.matcher(statement).matches() || ATTACH.matcher(statement).matches()) {
      return false;
    }
    Matcher virtual = VIRTUAL.matcher(statement);
    if (virtual.matches() && !VIRTUAL_MODULES.contains(unquote(virtual.group(1)).toLowerCase(Locale.ROOT))) {
      return false;
    }
    Matcher create = CREATE_OBJECT.matcher(statement);
    return !(create.matches() && unquote(create.group(1)).toLowerCase(Locale.ROOT).startsWith("_cf_"));
  }

  private static boolean pragmaAllowed(String name, String value) {
    Argument argument = PRAGMAS.get(name);
    if (argument == null) {
      return false;
    }
    if (value == null || value.isEmpty()) {
      return argument != Argument.OBJECT_NAME;
    }
    String plain = unquote(value.replaceAll("^'(.*)'$", "$1"));
    return switch (argument) {
      case NONE -> false;
      case BOOLEAN -> BOOLEANS.contains(plain.toLowerCase(Locale.ROOT));
      case NUMBER -> plain.matches("-?\\d+");
      case NUMBER_OR_OBJECT_NAME, OBJECT_NAME, OPTIONAL_OBJECT_NAME, ANY_NAME ->
          !plain.toLowerCase(Locale.ROOT).startsWith("_cf_");
    };
  }

  private static String unquote(String name) {
    if (name.length() >= 2) {
      char first = name.charAt(0);
      char last = name.charAt(name.length() - 1);
      if ((first == '"' && last == '"') || (first == '`' && last == '`') || (first == '[' && last == ']')) {
        return name.substring(1, name.length() - 1).replace("\"\"", "\"");
      }
    }
    return name;
  }
}
