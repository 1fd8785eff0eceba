package dev.flaredeploy.activities.safety;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What one migration does to the schema, found by applying it to a shadow and comparing before with after.
 *
 * @param findings every effect, most severe first
 */
public record MigrationAnalysis(String migration, List<ChangeFinding> findings) {
  public MigrationAnalysis {
    findings =
        findings.stream()
            .sorted(Comparator.comparing(ChangeFinding::kind).reversed())
            .toList();
  }

  /** The most severe kind of change; empty for a migration that changes no schema (data only). */
  public Optional<ChangeKind> kind() {
    return findings.stream().map(ChangeFinding::kind).max(Comparator.naturalOrder());
  }

  /** {@code DESTRUCTIVE}, …, or {@code NO_SCHEMA_CHANGE}: the migration's class in one word. */
  public String classification() {
    return kind().map(Enum::name).orElse("NO_SCHEMA_CHANGE");
  }

  /** Whether a deployment may apply it only when explicitly allowed. */
  public boolean needsAllowance() {
    return kind().map(ChangeKind::needsAllowance).orElse(false);
  }

  public List<ChangeFinding> findingsOf(ChangeKind kind) {
    return findings.stream().filter(f -> f.kind() == kind).toList();
  }
}
