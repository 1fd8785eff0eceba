package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.activities.config.ProjectConfigLoader;
import dev.flaredeploy.workflows.model.DatabasePlan;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The wrangler config entry of one D1 binding with its {@code database_id}, written the way the user's
 * config file is written (TOML for {@code wrangler.toml}, JSON for {@code wrangler.json} and {@code
 * wrangler.jsonc}), for the user to paste over the entry they have. flaredeploy never edits the file itself.
 */
final class ConfigSnippet {
  private ConfigSnippet() {}

  /**
   * @param configFile the wrangler config's file name ({@code wrangler.toml}, …)
   * @param environment {@code default} or the wrangler environment the binding belongs to
   */
  static String of(String configFile, String environment, DatabasePlan db, String databaseId) {
    Map<String, String> entry = new LinkedHashMap<>();
    entry.put("binding", db.binding());
    entry.put("database_name", db.databaseName());
    entry.put("database_id", databaseId);
    if (db.migrationsDir() != null && !db.migrationsDir().equals("migrations")
        && !db.migrationsDir().equals("./migrations")) {
      entry.put("migrations_dir", db.migrationsDir());
    }
    if (db.migrationsTable() != null && !db.migrationsTable().equals("d1_migrations")) {
      entry.put("migrations_table", db.migrationsTable());
    }
    boolean topLevel = ProjectConfigLoader.DEFAULT_ENVIRONMENT.equals(environment);
    StringBuilder out = new StringBuilder();
    if (configFile.endsWith(".toml")) {
      out.append(topLevel ? "[[d1_databases]]" : "[[env." + environment + ".d1_databases]]").append('\n');
      entry.forEach((key, value) -> out.append(key).append(" = ").append(quote(value)).append('\n'));
    } else {
      out.append("// in ").append(topLevel ? "\"d1_databases\"" : "\"env\" → \"" + environment + "\" → \"d1_databases\"")
          .append('\n');
      out.append("{\n");
      int i = 0;
      for (Map.Entry<String, String> e : entry.entrySet()) {
        out.append("  ").append(quote(e.getKey())).append(": ").append(quote(e.getValue()))
            .append(++i < entry.size() ? "," : "").append('\n');
      }
      out.append("}\n");
    }
    return out.toString();
  }

  /** A basic string, valid in TOML and JSON alike. */
  private static String quote(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
