package dev.flaredeploy.activities.safety;

import dev.flaredeploy.workflows.model.MigrationAllowance;
import dev.flaredeploy.workflows.model.MigrationCheck;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks the pending migrations of one database before anything changes: applies them, in wrangler's
 * order, to a shadow built from the database's current export, and classifies each by its effect.
 * Destructive and renaming migrations are blocked unless allowed; a migration that fails in the shadow is
 * always blocked (and the ones after it are not checked).
 */
public final class MigrationSafety {
  /** Classification of a migration that does not apply to the current schema. */
  public static final String FAILS = "FAILS";

  /** How a finding says that flaredeploy.toml let a migration through; the reason follows. */
  public static final String ALLOWED_BY = "allowed by [[migrations.allow]] in flaredeploy.toml: ";

  private MigrationSafety() {}

  public static List<MigrationCheck> check(
      String binding, String currentExport, Path migrationsDir, List<String> pending, boolean allowDestructive) {
    return check(binding, currentExport, migrationsDir, pending, allowDestructive, List.of());
  }

  /**
   * As {@link #check(String, String, Path, List, boolean)}, where a destructive or renaming migration that
   * one of {@code allowances} covers ({@code [[migrations.allow]]}) goes through too, with the allowance's
   * reason among its findings.
   */
  public static List<MigrationCheck> check(String binding, String currentExport, Path migrationsDir,
      List<String> pending, boolean allowDestructive, List<MigrationAllowance> allowances) {
    List<MigrationCheck> checks = new ArrayList<>();
    try (ShadowDatabase shadow = ShadowDatabase.fromSchema(binding + " (current)", currentExport)) {
      for (String name : pending) {
        Schema before = shadow.snapshot();
        try {
          shadow.apply(name, read(migrationsDir.resolve(name)));
        } catch (ShadowMigrationException e) {
          checks.add(new MigrationCheck(binding, name, FAILS, true, List.of(e.getMessage()),
              "fix the migration; the database was not touched"));
          break;
        }
        MigrationAnalysis analysis = MigrationClassifier.classify(name, before, shadow.snapshot());
        Optional<MigrationAllowance> allowance = analysis.needsAllowance()
            ? allowances.stream().filter(a -> a.covers(binding, name)).findFirst() : Optional.empty();
        boolean blocked = analysis.needsAllowance() && !allowDestructive && allowance.isEmpty();
        List<String> findings = new ArrayList<>(analysis.findings().stream().map(ChangeFinding::describe).toList());
        allowance.ifPresent(a -> findings.add(ALLOWED_BY + a.reason()));
        String advice = analysis.findings().stream()
            .filter(f -> f.kind().needsAllowance())
            .map(ChangeFinding::safeWay)
            .distinct()
            .reduce((a, b) -> a + " " + b)
            .orElse(null);
        checks.add(new MigrationCheck(binding, name, analysis.classification(), blocked, List.copyOf(findings), advice));
      }
    }
    return checks;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read migration " + file, e);
    }
  }
}
