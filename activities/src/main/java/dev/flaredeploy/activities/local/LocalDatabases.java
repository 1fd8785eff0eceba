package dev.flaredeploy.activities.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flaredeploy.activities.process.ProcessResult;
import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.Wrangler;
import dev.flaredeploy.workflows.model.MigrationFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The D1 databases of the local target, driven through {@code wrangler d1 … --local --persist-to <state>}
 * in a release's working copy (shared notes on wrangler §1, §2).
 *
 * <p>Every operation is idempotent and may be retried after a crash: reads change nothing, {@link
 * #applyMigrations} applies only what the ledger lacks, {@link #export} replaces its output atomically,
 * and {@link #restore} rebuilds the database from the export in one all-or-nothing batch. A wrangler left
 * writing the same state by a worker that died (it outlives the killed JVM) is waited for before applying
 * or restoring, so a retry never races the attempt it replaces.
 *
 * <p>Failures: {@link MigrationFailedException} when a migration's SQL fails (retrying cannot help); {@link
 * D1CommandException} when wrangler fails otherwise; {@code ProcessRunner.ProcessTimeoutException} when a
 * command runs past its timeout.
 */
public class LocalDatabases {
  /** Generous: a local command takes about 2 s, but a big dump or migration on a slow disk takes longer. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(10);

  /** The first line of every {@code d1 export} (miniflare's dumpSql), even of an empty database. */
  static final String EXPORT_HEADER = "PRAGMA defer_foreign_keys=TRUE;";

  private final Wrangler wrangler;
  private final Duration commandTimeout;

  public LocalDatabases(Wrangler wrangler) {
    this(wrangler, DEFAULT_COMMAND_TIMEOUT);
  }

  public LocalDatabases(Wrangler wrangler, Duration commandTimeout) {
    this.wrangler = Objects.requireNonNull(wrangler, "wrangler");
    this.commandTimeout = Objects.requireNonNull(commandTimeout, "commandTimeout");
  }

  /**
   * The migrations the binding's ledger records, in ledger (application) order. A database or ledger that
   * does not exist yet has none. Read-only (wrangler may create the empty database file).
   */
  public List<String> appliedMigrations(LocalDatabaseContext ctx) {
    return appliedMigrations(ctx, ProcessRunner.Tick.NONE);
  }

  public List<String> appliedMigrations(LocalDatabaseContext ctx, ProcessRunner.Tick tick) {
    String table = ctx.migrationsTable();
    ProcessResult result =
        execute(ctx, "SELECT name FROM " + RestoreScript.quote(table) + " ORDER BY id", tick);
    if (!result.succeeded()) {
      Optional<String> error = D1Output.executeError(result.stdout());
      if (error.isPresent() && isMissingTable(error.get(), table)) {
        return List.of();
      }
      throw failure(ctx, "execute", result);
    }
    List<String> names = new ArrayList<>();
    for (JsonNode row : rowsOf(ctx, result)) {
      names.add(row.path("name").asText());
    }
    return List.copyOf(names);
  }

  /**
   * The rows of a read-only {@code sql} (its first statement's), column → value as text (null for SQL
   * NULL); empty when {@code table} does not exist. Read-only.
   */
  public Optional<List<Map<String, String>>> query(
      LocalDatabaseContext ctx, String table, String sql, ProcessRunner.Tick tick) {
    ProcessResult result = execute(ctx, sql, tick);
    if (!result.succeeded()) {
      Optional<String> error = D1Output.executeError(result.stdout());
      if (error.isPresent() && isMissingTable(error.get(), table)) {
        return Optional.empty();
      }
      throw failure(ctx, "execute", result);
    }
    List<Map<String, String>> rows = new ArrayList<>();
    for (JsonNode row : rowsOf(ctx, result)) {
      Map<String, String> values = new LinkedHashMap<>();
      row.fields().forEachRemaining(f -> values.put(f.getKey(), f.getValue().isNull() ? null : f.getValue().asText()));
      rows.add(values);
    }
    return Optional.of(List.copyOf(rows));
  }

  /**
   * Runs {@code sql} with {@code d1 execute --local --command}, whose statements wrangler runs as one batch
   * (all or nothing). Waits first for a wrangler left writing the same state by a killed worker.
   */
  public void executeBatch(LocalDatabaseContext ctx, String sql, ProcessRunner.Tick tick) {
    awaitLeftoverWriters(ctx, tick);
    ProcessResult result = execute(ctx, sql, tick);
    if (!result.succeeded()) {
      throw failure(ctx, "execute", result);
    }
  }

  /**
   * Writes a full SQL export (schema and data, ledger included) of the binding to {@code output}. The file
   * appears complete or not at all: wrangler writes a temporary file next to it, which is then moved into
   * place (replacing an older export). A database that does not exist yet exports as the one-line header
   * {@code PRAGMA defer_foreign_keys=TRUE;}.
   *
   * <p>{@code d1 export} has no {@code --persist-to}: it reads {@code <config dir>/.wrangler/state}, which
   * in a working copy links to the state dir. This method refuses to export when it does not.
   */
  public Path export(LocalDatabaseContext ctx, Path output) {
    return export(ctx, output, ProcessRunner.Tick.NONE);
  }

  public Path export(LocalDatabaseContext ctx, Path output, ProcessRunner.Tick tick) {
    requireStateLink(ctx);
    Path target = output.toAbsolutePath().normalize();
    Path partial =
        target.resolveSibling("." + target.getFileName() + ".partial-" + UUID.randomUUID());
    try {
      Files.createDirectories(target.getParent());
      List<String> args = ctx.d1("export");
      args.addAll(List.of("--local", "--output", partial.toString()));
      ProcessResult result = wrangler.run(args, ctx.workdir(), commandTimeout, tick);
      if (!result.succeeded()) {
        throw failure(ctx, "export", result);
      }
      if (!Files.isRegularFile(partial) || Files.size(partial) == 0) {
        throw new D1CommandException(
            ctx.binding(), args, "wrangler reported success but wrote no export to " + partial);
      }
      Files.move(
          partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the export " + target, e);
    } finally {
      deleteQuietly(partial);
    }
  }

  /**
   * Applies the binding's pending migrations with {@code d1 migrations apply}, each file atomically with
   * its ledger row, and returns what this call applied, read back from the ledger. Looks first: when the
   * ledger already records every file the plan lists, wrangler is not run. A second call applies nothing.
   * Heartbeats through {@code tick}.
   *
   * @throws MigrationFailedException when a file fails; the files before it stay applied
   * @throws D1CommandException when wrangler fails otherwise, or succeeds but the ledger lacks a file the
   *     plan lists (the plan and the config disagree about the migrations)
   */
  public ApplyResult applyMigrations(LocalDatabaseContext ctx, ProcessRunner.Tick tick) {
    awaitLeftoverWriters(ctx, tick);
    List<String> before = appliedMigrations(ctx, tick);
    List<String> planned = plannedNames(ctx);
    if (!planned.isEmpty() && before.containsAll(planned)) {
      return new ApplyResult(ctx.binding(), List.of(), before); // nothing pending: wrangler would do nothing
    }
    List<String> args = ctx.d1Local("migrations", "apply");
    ProcessResult result = wrangler.run(args, ctx.workdir(), commandTimeout, tick);
    if (!result.succeeded()) {
      D1Output.MigrationError error =
          D1Output.migrationError(result.stderr())
              .orElseThrow(() -> failure(ctx, "migrations apply", result));
      List<String> after = appliedMigrations(ctx, tick);
      throw new MigrationFailedException(
          ctx.binding(), error.file(), error.error(), after, without(after, before));
    }
    List<String> after = appliedMigrations(ctx, tick);
    List<String> missing = planned.stream().filter(name -> !after.contains(name)).toList();
    if (!missing.isEmpty()) {
      throw new D1CommandException(
          ctx.binding(),
          args,
          "wrangler reported success, but the ledger "
              + ctx.migrationsTable()
              + " lacks "
              + String.join(", ", missing)
              + " (does the plan's migrations_dir match the config's?)");
    }
    return new ApplyResult(ctx.binding(), without(after, before), after);
  }

  /**
   * Puts the binding's database back exactly to {@code dump} (an {@link #export} of it): every user table,
   * view and trigger is dropped and the export replayed, in one {@code d1 execute --local --file} batch
   * that applies entirely or not at all. Other bindings are untouched. Restoring twice gives the same
   * database.
   */
  public void restore(LocalDatabaseContext ctx, Path dump) {
    restore(ctx, dump, ProcessRunner.Tick.NONE);
  }

  public void restore(LocalDatabaseContext ctx, Path dump, ProcessRunner.Tick tick) {
    String content = readExport(dump);
    awaitLeftoverWriters(ctx, tick);
    ProcessResult listing = execute(ctx, RestoreScript.LIST_OBJECTS, tick);
    if (!listing.succeeded()) {
      throw failure(ctx, "execute", listing);
    }
    List<RestoreScript.SchemaObject> current = new ArrayList<>();
    for (JsonNode row : rowsOf(ctx, listing)) {
      current.add(
          new RestoreScript.SchemaObject(
              row.path("type").asText(), row.path("name").asText(), row.path("virtual").asBoolean()));
    }
    Path script = null;
    try {
      script = Files.createTempFile("flaredeploy-restore-", ".sql");
      Files.writeString(script, RestoreScript.build(current, content), StandardCharsets.UTF_8);
      List<String> args = ctx.d1Local("execute");
      args.addAll(List.of("--file", script.toString(), "--yes", "--json"));
      ProcessResult result = wrangler.run(args, ctx.workdir(), commandTimeout, tick);
      if (!result.succeeded()) {
        throw new D1CommandException(
            ctx.binding(),
            args,
            "restore from "
                + dump
                + " did not apply, the database is unchanged: "
                + D1Output.complaint(result.stdout(), result.stderr()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the restore script for " + dump, e);
    } finally {
      if (script != null) {
        deleteQuietly(script);
      }
    }
  }

  /**
   * Waits while a wrangler that writes this binding's state runs outside this JVM: a {@code d1 migrations
   * apply} or {@code d1 execute --file} on the same {@code --persist-to}, normally left by an attempt whose
   * worker was killed (wrangler outlives the JVM that started it and carries on with the migrations it
   * began). Applying or restoring alongside it would race it: the same migration tried twice, or its next
   * migration landing on top of a restore. Calls {@code tick} about once a second while waiting.
   *
   * @throws D1CommandException when one still runs after the command timeout (a retry waits again)
   */
  void awaitLeftoverWriters(LocalDatabaseContext ctx, ProcessRunner.Tick tick) {
    long deadline = System.nanoTime() + commandTimeout.toNanos();
    List<ProcessHandle> writers = leftoverWriters(ctx.stateDir());
    while (!writers.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new D1CommandException(
            ctx.binding(),
            List.of("d1", "migrations", "apply"),
            "wrangler (pids "
                + String.join(", ", writers.stream().map(p -> Long.toString(p.pid())).toList())
                + "), left by an earlier attempt, still writes "
                + ctx.stateDir()
                + " after "
                + commandTimeout.toSeconds()
                + " s; if it hangs, stop those pids");
      }
      tick.tick();
      ProcessGroup.awaitExit(writers, Duration.ofSeconds(1));
      writers = leftoverWriters(ctx.stateDir());
    }
  }

  /** wrangler processes not started by this JVM that write the local D1 state in {@code stateDir}. */
  static List<ProcessHandle> leftoverWriters(Path stateDir) {
    Set<Long> ours = new HashSet<>();
    ProcessHandle.current().descendants().forEach(p -> ours.add(p.pid()));
    return ProcessHandle.allProcesses()
        .filter(p -> !ours.contains(p.pid()) && p.pid() != ProcessHandle.current().pid())
        .filter(p -> writesState(ProcessGroup.arguments(p), stateDir))
        .toList();
  }

  /** True for the argv of a {@code wrangler d1 migrations apply} or {@code d1 execute --file} on stateDir. */
  static boolean writesState(List<String> argv, Path stateDir) {
    int d1 = argv.indexOf("d1");
    int persist = argv.indexOf("--persist-to");
    if (d1 < 0 || d1 + 1 >= argv.size() || persist < 0 || persist + 1 >= argv.size()) {
      return false;
    }
    if (!Path.of(argv.get(persist + 1)).toAbsolutePath().normalize().equals(stateDir)) {
      return false;
    }
    String command = argv.get(d1 + 1);
    return (command.equals("migrations") && d1 + 2 < argv.size() && argv.get(d1 + 2).equals("apply"))
        || (command.equals("execute") && argv.contains("--file"));
  }

  /** The export's SQL; refuses files that are not a {@code d1 export} (they all start with this PRAGMA). */
  private static String readExport(Path dump) {
    String content;
    try {
      content = Files.readString(dump, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the export " + dump, e);
    }
    if (!content.startsWith(EXPORT_HEADER)) {
      throw new IllegalArgumentException(
          dump + " is not a d1 export: it does not start with " + EXPORT_HEADER);
    }
    return content;
  }

  /** The migration files the plan lists (wrangler's order); empty when the plan does not list them. */
  private static List<String> plannedNames(LocalDatabaseContext ctx) {
    List<MigrationFile> files = ctx.database().migrations();
    return files == null ? List.of() : files.stream().map(MigrationFile::name).toList();
  }

  private static List<String> without(List<String> after, List<String> before) {
    Set<String> old = new HashSet<>(before);
    return after.stream().filter(name -> !old.contains(name)).toList();
  }

  private ProcessResult execute(LocalDatabaseContext ctx, String sql, ProcessRunner.Tick tick) {
    List<String> args = ctx.d1Local("execute");
    args.addAll(List.of("--json", "--command", sql));
    return wrangler.run(args, ctx.workdir(), commandTimeout, tick);
  }

  private static List<JsonNode> rowsOf(LocalDatabaseContext ctx, ProcessResult result) {
    return D1Output.firstRows(result.stdout())
        .orElseThrow(
            () ->
                new D1CommandException(
                    ctx.binding(),
                    List.of("d1", "execute"),
                    "unexpected output from --json: " + abbreviate(result.stdout())));
  }

  private static boolean isMissingTable(String error, String table) {
    return error.toLowerCase(Locale.ROOT).contains("no such table: " + table.toLowerCase(Locale.ROOT));
  }

  private static void requireStateLink(LocalDatabaseContext ctx) {
    Path link = ctx.workdir().resolve(".wrangler").resolve("state");
    try {
      if (Files.exists(link) && Files.exists(ctx.stateDir()) && Files.isSameFile(link, ctx.stateDir())) {
        return;
      }
    } catch (IOException e) {
      // fall through: report what was observed
    }
    throw new IllegalStateException(
        "d1 export reads "
            + link
            + ", which is not the state dir "
            + ctx.stateDir()
            + "; prepare the working copy with LocalWorkspace.workdir so that it links there");
  }

  private static D1CommandException failure(
      LocalDatabaseContext ctx, String command, ProcessResult result) {
    return new D1CommandException(
        ctx.binding(),
        List.of("d1", command),
        D1Output.complaint(result.stdout(), result.stderr()));
  }

  private static String abbreviate(String s) {
    String t = s.strip();
    return t.length() <= 400 ? t : t.substring(0, 400) + "…";
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // a leftover temporary file is harmless: its name never looks like an export
    }
  }
}
