package dev.flaredeploy.activities.gate;

import dev.flaredeploy.activities.DatabaseState;
import dev.flaredeploy.activities.DeploymentTarget;
import dev.flaredeploy.activities.process.Concurrently;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.activities.process.Ticking;
import dev.flaredeploy.activities.safety.MigrationSource;
import dev.flaredeploy.activities.safety.ShadowDatabase;
import dev.flaredeploy.activities.safety.ShadowMigrationException;
import dev.flaredeploy.activities.safety.ShadowTrial;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DatabaseStatus;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.MigrationFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the checks of one run share: the plan, the target, and what was read of each database, read once
 * and on first need ({@link DeploymentTarget#inspect}: ledger, recorded checksums and schema, never the
 * data; every database of the plan together, concurrently as far as the target allows), and the pending
 * migrations tried in a shadow of each database's live schema ({@link ShadowTrial}). Not thread-safe: one
 * run's checks run one after another.
 */
public final class GateContext {
  private final DeploymentTarget target;
  private final DeploymentPlan plan;
  private final Tick tick;
  private final Clock clock;
  private Map<String, DatabaseState> states;
  private final Map<String, Trial> trials = new HashMap<>();
  private Optional<String> liveSource;

  /**
   * A database's pending migrations in the shadow, or why they could not be tried there.
   *
   * @param trial null when {@code unavailable} says why
   */
  public record Trial(ShadowTrial trial, String unavailable) {
    public boolean available() {
      return trial != null;
    }
  }

  public GateContext(DeploymentTarget target, DeploymentPlan plan, Tick tick, Clock clock) {
    this.target = target;
    this.plan = plan;
    this.tick = tick;
    this.clock = clock;
  }

  public DeploymentTarget target() {
    return target;
  }

  public DeploymentPlan plan() {
    return plan;
  }

  public Tick tick() {
    return tick;
  }

  /** What time-bound rules (freeze windows) are judged by. */
  public Instant now() {
    return clock.instant();
  }

  public List<DatabasePlan> databases() {
    return plan.databases();
  }

  /** The database as read at the start of the checks that need it. */
  public DatabaseState state(DatabasePlan database) {
    if (states == null) {
      states = readAll();
    }
    return states.get(database.binding());
  }

  /** Applied migrations (its ledger) and pending ones (the plan's files it lacks, in wrangler's order). */
  public DatabaseStatus status(DatabasePlan database) {
    List<String> applied = state(database).applied();
    List<String> pending = database.migrations() == null ? List.of()
        : database.migrations().stream().map(MigrationFile::name).filter(name -> !applied.contains(name)).toList();
    return new DatabaseStatus(database.binding(), List.copyOf(applied), pending);
  }

  public List<DatabaseStatus> statuses() {
    return databases().stream().map(this::status).toList();
  }

  /** The source id live now, read once ({@link DeploymentTarget#liveSource}). */
  public Optional<String> liveSource() {
    if (liveSource == null) {
      liveSource = target.liveSource(plan, tick);
    }
    return liveSource;
  }

  /** The migrations directory of {@code database} in the pinned source. */
  public Path migrationsDir(DatabasePlan database) {
    return Path.of(plan.source().path()).resolve(database.migrationsDir());
  }

  /** A migration file's text, from the pinned source. */
  public String read(DatabasePlan database, String migration) {
    Path file = migrationsDir(database).resolve(migration);
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read migration " + file, e);
    }
  }

  /**
   * The database's pending migrations tried in a shadow of its live schema (also when none is pending: the
   * live schema as the shadow reads it back, for drift); computed once, on a helper thread while the run
   * ticks.
   */
  public Trial trial(DatabasePlan database) {
    return trials.computeIfAbsent(database.binding(), binding -> {
      DatabaseState state = state(database);
      List<ShadowDatabase.Definition> definitions = state.schema().stream()
          .map(o -> new ShadowDatabase.Definition(o.type(), o.name(), o.sql())).toList();
      List<MigrationSource> pending = status(database).pending().stream()
          .map(name -> new MigrationSource(name, read(database, name))).toList();
      try {
        return new Trial(Ticking.call(tick, "shadow-check",
            () -> ShadowTrial.of(binding + " (live schema)", definitions, pending)), null);
      } catch (ShadowMigrationException e) {
        return new Trial(null, "its live schema could not be loaded into a shadow database: " + e.getMessage());
      }
    });
  }

  /** Where {@code binding} can be put back to if a migration fails: what checkpoint takes before migrating. */
  public String restorePoint(String binding) {
    return RestorePoints.describe(plan, binding);
  }

  private Map<String, DatabaseState> readAll() {
    List<DatabasePlan> databases = plan.databases();
    Map<String, DatabaseState> read = new LinkedHashMap<>();
    int threads = Math.min(databases.size(), Math.max(1, target.concurrentReads()));
    if (threads <= 1) {
      databases.forEach(d -> read.put(d.binding(), target.inspect(plan, d, tick)));
      return read;
    }
    // the reads run on helper threads without ticking; this thread ticks (heartbeats) while it waits for them
    List<Supplier<DatabaseState>> reads = new ArrayList<>();
    for (DatabasePlan database : databases) {
      reads.add(() -> target.inspect(plan, database, Tick.NONE));
    }
    List<DatabaseState> states = Concurrently.all(tick, reads, threads);
    for (int i = 0; i < databases.size(); i++) {
      read.put(databases.get(i).binding(), states.get(i));
    }
    return read;
  }
}
