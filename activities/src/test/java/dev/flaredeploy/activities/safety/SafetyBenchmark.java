package dev.flaredeploy.activities.safety;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Measures what migration safety adds to a deployment of a project with 50 migrations: shadow apply and
 * classification of all 50 (from an empty database), the drift check (load a live export, replay 50 from
 * empty, compare), and the text checks (sequence, checksums, wrangler compatibility). Not a test: run it
 * with {@code java -cp <test classpath> dev.flaredeploy.activities.safety.SafetyBenchmark [rounds]}.
 */
public final class SafetyBenchmark {
  private SafetyBenchmark() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    long open = System.nanoTime();
    ShadowDatabase.empty().close();
    open = System.nanoTime() - open;
    List<MigrationSource> migrations = migrations(50);
    String export = export(migrations);
    long[] classify = new long[rounds];
    long[] drift = new long[rounds];
    long[] text = new long[rounds];
    Map<String, Integer> classes = new HashMap<>();
    for (int round = 0; round < rounds; round++) {
      long start = System.nanoTime();
      List<MigrationAnalysis> analyses;
      try (ShadowDatabase shadow = ShadowDatabase.empty()) {
        analyses = MigrationClassifier.analyze(shadow, migrations);
      }
      classify[round] = System.nanoTime() - start;

      start = System.nanoTime();
      DriftReport report = DriftReport.of(DriftReportTest.live(export), migrations, "d1_migrations");
      drift[round] = System.nanoTime() - start;
      if (report.hasDrift()) {
        throw new IllegalStateException("unexpected drift: " + report.differences());
      }

      start = System.nanoTime();
      Map<String, String> sums = new HashMap<>();
      for (MigrationSource migration : migrations) {
        sums.put(migration.name(), Checksums.sha256(migration.sql()));
        WranglerCompatibility.check(migration);
      }
      SequenceCheck.check(sums.keySet());
      Map<String, Checksums.Recorded> recorded = new HashMap<>();
      sums.forEach((name, sha) -> recorded.put(name, new Checksums.Recorded(name, sha, null, null, null, null)));
      Checksums.problems("DB", sums.keySet(), recorded, sums);
      text[round] = System.nanoTime() - start;

      if (round == 0) {
        for (MigrationAnalysis analysis : analyses) {
          classes.merge(analysis.classification(), 1, Integer::sum);
        }
      }
    }
    System.out.println("50 migrations, " + rounds + " rounds; classes " + classes);
    System.out.printf(
        Locale.ROOT, "%-46s once   %6.1f ms%n", "first shadow (loads native SQLite)", open / 1e6);
    report("shadow apply + classify, all 50", classify);
    report("drift: load export + replay 50 + compare", drift);
    report("sequence + checksums + wrangler text checks", text);
  }

  private static void report(String what, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf(
        Locale.ROOT,
        "%-46s first %6.1f ms   median of rest %6.1f ms   min %6.1f ms%n",
        what,
        nanos[0] / 1e6,
        median(Arrays.copyOfRange(nanos, Math.min(1, nanos.length - 1), nanos.length)) / 1e6,
        sorted[0] / 1e6);
  }

  private static double median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /**
   * A project's history: tables created, columns added, indexes, a view, a trigger, data, a rebuild and
   * a rename every so often.
   */
  static List<MigrationSource> migrations(int count) {
    List<MigrationSource> migrations = new ArrayList<>();
    int tables = 0;
    for (int i = 1; i <= count; i++) {
      String sql;
      int t = Math.max(1, tables);
      switch (i % 10) {
        case 1, 6 -> {
          tables++;
          sql =
              "CREATE TABLE t" + tables + " (\n  id INTEGER PRIMARY KEY,\n  owner_id INTEGER"
                  + (tables > 1 ? " REFERENCES t1(id)" : "") + ",\n  name TEXT NOT NULL,\n"
                  + "  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP\n);\n"
                  + "CREATE INDEX t" + tables + "_by_name ON t" + tables + "(name);\n";
        }
        case 2, 7 -> sql = "ALTER TABLE t" + t + " ADD COLUMN note_" + i + " TEXT;\n";
        case 3 -> sql =
            "INSERT INTO t" + t + " (id, name) VALUES (" + i + ", 'row " + i + "'), (" + (i + 1000)
                + ", 'it''s; " + i + "');\n";
        case 4 -> sql =
            "CREATE UNIQUE INDEX t" + t + "_name_" + i + " ON t" + t + "(name, created_at);\n";
        case 5 -> sql =
            "CREATE VIEW v" + i + " AS SELECT id, name FROM t" + t + " WHERE name <> '';\n";
        case 8 -> sql =
            "CREATE TABLE audit_" + i + " (id INTEGER PRIMARY KEY, what TEXT);\n"
                + "CREATE TRIGGER t" + t + "_audit_" + i + " AFTER INSERT ON t" + t + "\nBEGIN\n"
                + "  INSERT INTO audit_" + i + " (what) VALUES ('insert; ' || new.name);\nEND;\n";
        case 9 -> {
          // 12-step rebuild of the newest table: relax nothing, add a CHECK, keep every column
          sql = rebuild("t" + t, t > 1);
        }
        default -> sql = "ALTER TABLE t" + t + " RENAME COLUMN name TO title_" + i + ";\n"
            + "ALTER TABLE t" + t + " RENAME COLUMN title_" + i + " TO name;\n";
      }
      migrations.add(new MigrationSource(String.format(Locale.ROOT, "%04d_step_%d.sql", i, i), sql));
    }
    return migrations;
  }

  private static String rebuild(String table, boolean referencesT1) {
    return "PRAGMA defer_foreign_keys = true;\n"
        + "CREATE TABLE " + table + "_new (\n  id INTEGER PRIMARY KEY,\n  owner_id INTEGER"
        + (referencesT1 ? " REFERENCES t1(id)" : "") + ",\n  name TEXT NOT NULL CHECK (name <> ''),\n"
        + "  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP\n);\n"
        + "INSERT INTO " + table + "_new (id, owner_id, name, created_at)"
        + " SELECT id, owner_id, name, created_at FROM " + table + ";\n"
        + "DROP TABLE " + table + ";\n"
        + "ALTER TABLE " + table + "_new RENAME TO " + table + ";\n"
        + "CREATE INDEX " + table + "_by_name ON " + table + "(name);\n";
  }

  /** What a live export of a database with all of {@code migrations} applied looks like, ledger included. */
  private static String export(List<MigrationSource> migrations) {
    StringBuilder out = new StringBuilder("PRAGMA defer_foreign_keys=TRUE;\n");
    out.append("CREATE TABLE d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,"
        + " applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);\n");
    int id = 1;
    for (MigrationSource migration : migrations) {
      out.append("INSERT INTO \"d1_migrations\" VALUES(").append(id++).append(",'")
          .append(migration.name()).append("','2026-11-21 19:28:24');\n");
      out.append(migration.sql());
    }
    return out.toString();
  }
}
