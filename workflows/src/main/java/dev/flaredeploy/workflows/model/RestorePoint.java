package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where one database can be put back to.
 *
 * @param location local: path of the SQL export; cloudflare: a Time Travel bookmark
 * @param export path of an SQL export of the database taken with this restore point and kept as a file
 *     ({@code [checkpoint] export = true} on Cloudflare), or null; the restore itself uses {@code location}
 * @param ledger the migrations the database's ledger listed when the restore point was taken, in order;
 *     null in restore points taken before it was recorded (a restore then does not compare)
 * @param ledgerAfterApply the ledger right after this deployment's apply-migrations succeeded on the
 *     database (set by the workflow); null when it did not (yet), or in runs recorded before it was kept
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RestorePoint(
    String binding, String location, String export, List<String> ledger, List<String> ledgerAfterApply) {

  /** A restore point without a kept export. */
  public RestorePoint(String binding, String location) {
    this(binding, location, null, null, null);
  }

  /** A restore point as recorded before the ledger was kept with it. */
  public RestorePoint(String binding, String location, String export) {
    this(binding, location, export, null, null);
  }

  /** This restore point with the ledger the database had when it was taken. */
  public RestorePoint withLedger(List<String> atRestorePoint) {
    return new RestorePoint(binding, location, export, List.copyOf(atRestorePoint), ledgerAfterApply);
  }

  /** This restore point once this deployment's migrations are applied: the ledger then. */
  public RestorePoint afterApply(List<String> applied) {
    return new RestorePoint(binding, location, export, ledger, applied == null ? null : List.copyOf(applied));
  }

  /**
   * What changed in the database since this restore point that this deployment did not do, judged by its
   * ledger {@code now}: migrations recorded that are neither in the ledger at the restore point nor this
   * deployment's own (after its apply succeeded: its ledger then; before: any of its {@code planned}
   * migrations), and migrations of the restore point's ledger that are gone. Empty when nothing foreign
   * happened, or when this restore point does not know its ledger. A database already restored to this
   * point shows nothing (a restore may run twice).
   */
  public Divergence divergence(List<String> now, Collection<String> planned) {
    if (ledger == null) {
      return Divergence.NONE;
    }
    Set<String> ours = new HashSet<>(ledger);
    ours.addAll(ledgerAfterApply != null ? ledgerAfterApply : planned);
    Set<String> present = new HashSet<>(now);
    return new Divergence(
        now.stream().filter(name -> !ours.contains(name)).toList(),
        ledger.stream().filter(name -> !present.contains(name)).toList());
  }

  /**
   * Migrations another hand (another deployment sharing the database, or a person) added to the ledger or
   * removed from it since a restore point.
   */
  public record Divergence(List<String> added, List<String> removed) {
    static final Divergence NONE = new Divergence(List.of(), List.of());

    public boolean isEmpty() {
      return added.isEmpty() && removed.isEmpty();
    }
  }
}
