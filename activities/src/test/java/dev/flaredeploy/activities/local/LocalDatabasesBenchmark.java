package dev.flaredeploy.activities.local;

import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.Wrangler;
import dev.flaredeploy.activities.safety.Checksums;
import dev.flaredeploy.activities.testing.PinnedWrangler;
import dev.flaredeploy.testkit.ExampleProjects;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.MigrationFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What the local target's database operations cost, side by side in one run: each as flaredeploy did it
 * through {@code wrangler d1 … --local} (a process each) and as it does it now, directly in the SQLite file,
 * on hello-d1's database holding ROWS generated notes. Not a test: {@code bench/local-d1.sh [ROWS] [ROUNDS]}.
 */
public final class LocalDatabasesBenchmark {
  private static final ProcessRunner.Tick NO_TICK = ProcessRunner.Tick.NONE;
  private static final String ID = "7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c01";

  private LocalDatabasesBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path root = Files.createTempDirectory("flaredeploy-d1-bench");
    try {
      run(root, rows, rounds);
    } finally {
      LocalWorkspace.deleteTree(root);
    }
  }

  private static void run(Path root, int rows, int rounds) throws IOException {
    LocalWorkspace workspace = new LocalWorkspace(root.resolve("home"));
    Wrangler wrangler = PinnedWrangler.in(workspace.logs());
    LocalDatabases databases = new LocalDatabases();
    Path project = ExampleProjects.copy("hello-d1", workspace.snapshots().resolve("bench"));
    Path workdir = workspace.workdir("hello-d1", "default", "bench", project); // d1 export reads .wrangler/state
    Path state = workspace.stateDir("hello-d1", "default");
    LocalDatabaseContext db = context(state, project);
    databases.applyMigrations(db, NO_TICK);
    long generate = time(() -> databases.executeBatch(db, "INSERT INTO notes (body, author) SELECT 'note ' || x"
        + " || ' of the benchmark', 'author ' || (x % 100) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL"
        + " SELECT x + 1 FROM c LIMIT " + rows + ") SELECT x FROM c)", NO_TICK));
    System.out.printf(Locale.ROOT, "hello-d1 with %,d notes (%d MB), generated directly in %d ms; %d rounds,"
        + " median ms%n%n", rows, Files.size(db.file()) >> 20, generate, rounds);
    System.out.printf("%-34s %12s %12s%n", "", "wrangler d1", "direct");

    compare("read the ledger", rounds,
        () -> wrangler(wrangler, workdir, state, "execute", "DB", "--json", "--command",
            "SELECT name FROM d1_migrations ORDER BY id"),
        () -> databases.inspect(db, NO_TICK));

    int[] next = {3};
    compare("apply one migration", rounds,
        () -> {
          addMigration(project, next[0]++);
          wrangler(wrangler, workdir, state, "migrations", "apply", "DB");
        },
        () -> {
          addMigration(project, next[0]++);
          databases.applyMigrations(context(state, project), NO_TICK);
        });

    int[] copy = {0};
    compare("restore point (export / file copy)", rounds,
        () -> {
          Path out = root.resolve("export-" + copy[0]++ + ".sql");
          List<String> args = new ArrayList<>(List.of("d1", "export", "DB", "-c",
              workdir.resolve("wrangler.toml").toString(), "--local", "--output", out.toString()));
          check(wrangler.run(args, workdir, Duration.ofMinutes(30), NO_TICK), args);
        },
        () -> databases.checkpoint(db, root.resolve("copy-" + copy[0]++ + ".sqlite"), NO_TICK));

    Path point = databases.checkpoint(db, root.resolve("point.sqlite"), NO_TICK);
    long[] restore = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      databases.executeBatch(db, "DELETE FROM notes WHERE id % 7 = " + i, NO_TICK);
      restore[i] = time(() -> databases.restore(db, point, NO_TICK));
    }
    System.out.printf("%-34s %12s %12d%n", "restore", "(see below)", median(restore));
    Path export = root.resolve("export-0.sql");
    long sqlRestore = time(() -> databases.restore(db, export, NO_TICK));
    System.out.printf("%-34s %12s %12d%n", "restore of an earlier .sql export", "", sqlRestore);
  }

  private static void compare(String what, int rounds, Runnable viaWrangler, Runnable direct) {
    long[] w = new long[rounds];
    long[] d = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      w[i] = time(viaWrangler);
      d[i] = time(direct);
    }
    System.out.printf("%-34s %12d %12d%n", what, median(w), median(d));
  }

  private static void wrangler(Wrangler wrangler, Path workdir, Path state, String... command) {
    List<String> args = new ArrayList<>(List.of("d1"));
    args.addAll(Arrays.asList(command));
    args.addAll(List.of("-c", workdir.resolve("wrangler.toml").toString(), "--local", "--persist-to",
        state.toString()));
    check(wrangler.run(args, workdir, Duration.ofMinutes(30), NO_TICK), args);
  }

  private static void check(ProcessResult result, List<String> args) {
    if (!result.succeeded()) {
      throw new IllegalStateException("wrangler " + args + ": " + result.diagnostics());
    }
  }

  private static void addMigration(Path project, int n) {
    try {
      Files.writeString(project.resolve(String.format("migrations/%04d_extra_%d.sql", n, n)),
          "ALTER TABLE notes ADD COLUMN extra_" + n + " TEXT;\n");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static LocalDatabaseContext context(Path state, Path project) {
    List<MigrationFile> files = new ArrayList<>();
    try (var list = Files.list(project.resolve("migrations"))) {
      for (Path f : list.sorted().toList()) {
        files.add(new MigrationFile(f.getFileName().toString(), Checksums.sha256(Files.readAllBytes(f))));
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new LocalDatabaseContext(state, new DatabasePlan("DB", "hello-d1-db", ID, "migrations", null, files, ID),
        project.resolve("migrations"));
  }

  private static long time(Runnable work) {
    long start = System.nanoTime();
    work.run();
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
