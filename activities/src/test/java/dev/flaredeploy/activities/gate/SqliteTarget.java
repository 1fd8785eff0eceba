package dev.flaredeploy.activities.gate;

import dev.flaredeploy.activities.DeploymentTarget;
import dev.flaredeploy.activities.PreflightReport;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.DeploymentPlan;
import dev.flaredeploy.workflows.model.RestorePoint;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A target whose databases are real in-memory SQLite databases (the engine under D1), for the checks' unit
 * tests: reads go through the interface's defaults ({@code inspect}, {@code probe} over {@link #queryTable}),
 * as on a target without fast paths. Whatever would change a database or a release is refused: the checks
 * must never call it. Records what the checks asked.
 */
final class SqliteTarget implements DeploymentTarget {
  private final Map<String, Connection> databases = new LinkedHashMap<>();
  final List<String> inspected = new CopyOnWriteArrayList<>();
  final List<String> probes = new CopyOnWriteArrayList<>();
  int concurrentReads = 1;
  PreflightReport preflight = PreflightReport.READY;
  String liveSource;
  List<String> secrets = List.of();
  /** Runs inside each inspect, before it reads (to observe concurrency). */
  Consumer<String> onInspect = binding -> {};
  RuntimeException probeFailure;

  /** Creates (or adds to) database {@code binding} with {@code sql}: schema and rows. */
  SqliteTarget database(String binding, String sql) {
    try {
      Connection connection = databases.computeIfAbsent(binding, b -> open());
      try (Statement statement = connection.createStatement()) {
        statement.executeUpdate(sql);
      }
      return this;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Connection open() {
    try {
      return DriverManager.getConnection("jdbc:sqlite::memory:");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public PreflightReport preflight(DeploymentPlan plan, Tick tick) {
    return preflight;
  }

  @Override
  public dev.flaredeploy.activities.DatabaseState inspect(DeploymentPlan plan, DatabasePlan database, Tick tick) {
    inspected.add(database.binding());
    onInspect.accept(database.binding());
    if (!databases.containsKey(database.binding())) {
      return dev.flaredeploy.activities.DatabaseState.ABSENT;
    }
    return DeploymentTarget.super.inspect(plan, database, tick);
  }

  @Override
  public int concurrentReads() {
    return concurrentReads;
  }

  @Override
  public List<Map<String, String>> probe(DeploymentPlan plan, DatabasePlan database, String sql, Tick tick) {
    probes.add(sql);
    if (probeFailure != null) {
      throw probeFailure;
    }
    return DeploymentTarget.super.probe(plan, database, sql, tick);
  }

  @Override
  public synchronized Optional<List<Map<String, String>>> queryTable(
      DeploymentPlan plan, DatabasePlan database, String table, String sql, Tick tick) {
    Connection connection = databases.get(database.binding());
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      ResultSetMetaData meta = rows.getMetaData();
      List<Map<String, String>> result = new ArrayList<>();
      while (rows.next()) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnLabel(i), rows.getString(i));
        }
        result.add(row);
      }
      return Optional.of(result);
    } catch (SQLException e) {
      if (!table.isEmpty() && e.getMessage().contains("no such table: " + table)) {
        return Optional.empty();
      }
      throw new IllegalStateException(database.binding() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void executeBatch(DeploymentPlan plan, DatabasePlan database, String sql, Tick tick) {
    throw new AssertionError("a check wrote to " + database.binding() + ": " + sql);
  }

  @Override
  public Optional<String> liveRelease(DeploymentPlan plan) {
    return Optional.ofNullable(liveSource);
  }

  @Override
  public List<String> secretNames(DeploymentPlan plan, Tick tick) {
    return secrets;
  }

  @Override
  public List<RestorePoint> checkpoint(DeploymentPlan plan, String runId, Tick tick) {
    throw new AssertionError("a check took a checkpoint");
  }

  @Override
  public List<String> applyMigrations(DeploymentPlan plan, DatabasePlan database, Tick tick) {
    throw new AssertionError("a check applied migrations");
  }

  @Override
  public String release(DeploymentPlan plan, Tick tick) {
    throw new AssertionError("a check released");
  }

  @Override
  public String rollback(DeploymentPlan plan, String version, Tick tick) {
    throw new AssertionError("a check rolled back");
  }

  @Override
  public String restore(DeploymentPlan plan, RestorePoint restorePoint, Tick tick) {
    throw new AssertionError("a check restored");
  }
}
