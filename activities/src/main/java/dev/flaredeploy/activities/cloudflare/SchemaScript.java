package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.activities.DatabaseState.SchemaObject;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A database's schema as an SQL script that rebuilds it empty: the {@code sql} of each {@code sqlite_master}
 * object, in its order (a table before its indexes and triggers). Objects SQLite makes itself (autoindexes,
 * without SQL) and the shadow tables of virtual tables (FTS5's {@code t_data}, …, which {@code CREATE
 * VIRTUAL TABLE} makes again) are left out. Pure.
 */
final class SchemaScript {
  private static final Pattern VIRTUAL =
      Pattern.compile("^\\s*CREATE\\s+VIRTUAL\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?[\"`\\[]?([^\\s\"`\\](]+)",
          Pattern.CASE_INSENSITIVE);
  /** The shadow tables FTS3/4/5 and R*Tree keep for a virtual table {@code t}: {@code t_<suffix>}. */
  private static final List<String> SHADOW_SUFFIXES = List.of(
      "_data", "_idx", "_content", "_docsize", "_config", "_segments", "_segdir", "_stat", "_node", "_rowid",
      "_parent");

  private SchemaScript() {}

  static String of(List<SchemaObject> schema) {
    Set<String> virtualTables = new HashSet<>();
    for (SchemaObject object : schema) {
      Matcher virtual = object.sql() == null ? null : VIRTUAL.matcher(object.sql());
      if (virtual != null && virtual.find()) {
        virtualTables.add(virtual.group(1).toLowerCase(Locale.ROOT));
      }
    }
    StringBuilder sql = new StringBuilder();
    for (SchemaObject object : schema) {
      if (object.sql() == null || isShadowTable(object, virtualTables)) {
        continue;
      }
      sql.append(object.sql().strip()).append(";\n");
    }
    return sql.toString();
  }

  private static boolean isShadowTable(SchemaObject object, Set<String> virtualTables) {
    if (!"table".equals(object.type())) {
      return false;
    }
    String name = object.name().toLowerCase(Locale.ROOT);
    return SHADOW_SUFFIXES.stream().anyMatch(suffix -> name.endsWith(suffix)
        && virtualTables.contains(name.substring(0, name.length() - suffix.length())));
  }
}
