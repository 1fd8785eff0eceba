package dev.flaredeploy.activities.safety;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The user-visible schema of a SQLite database: tables (with their columns, indexes, foreign keys and
 * checks), views and triggers, each keyed by name without regard to case (as SQLite looks names up).
 * SQLite's own objects ({@code sqlite_…}), D1's ({@code _cf_…}) and the shadow tables of virtual tables
 * are never part of it. Two schemas are {@code equals} when a program could not tell them apart by
 * their structure; layout and comments of the SQL that made them do not count.
 */
public record Schema(
    SortedMap<String, Table> tables,
    SortedMap<String, View> views,
    SortedMap<String, Trigger> triggers) {

  public static final Schema EMPTY = new Schema(Map.of(), Map.of(), Map.of());

  public Schema(Map<String, Table> tables, Map<String, View> views, Map<String, Trigger> triggers) {
    this(sorted(tables), sorted(views), sorted(triggers));
  }

  public Schema {
    tables = sorted(tables);
    views = sorted(views);
    triggers = sorted(triggers);
  }

  private static <T> SortedMap<String, T> sorted(Map<String, T> map) {
    TreeMap<String, T> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    copy.putAll(map);
    return Collections.unmodifiableSortedMap(copy);
  }

  public Optional<Table> table(String name) {
    return Optional.ofNullable(tables.get(name));
  }

  /** This schema without the named tables (and their triggers): e.g. the ledger, for comparisons. */
  public Schema without(Collection<String> tableNames) {
    TreeMap<String, Table> keptTables = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    keptTables.putAll(tables);
    TreeMap<String, Trigger> keptTriggers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    keptTriggers.putAll(triggers);
    for (String name : tableNames) {
      keptTables.remove(name);
      keptTriggers.values().removeIf(t -> t.table().equalsIgnoreCase(name));
    }
    return new Schema(keptTables, views, keptTriggers);
  }

  /** Whether SQLite or D1 own an object of this name: {@code sqlite_…} and {@code _cf_…}. */
  public static boolean isInternal(String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    return lower.startsWith("sqlite_") || lower.startsWith("_cf_");
  }
}
