package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * What a rollback will do, worked out from the release journal and the target as they are now.
 *
 * @param release the journal record of the release to put live
 * @param live the target's id of the release live now, or null
 * @param undone the deployment that put the live release live (the one being undone), or null when the journal lacks it
 * @param unknownMigrations per database, migrations it holds that {@code release} never knew about (left as
 *     they are unless restored): {@code BINDING: file, file}
 * @param restores the databases to put back ({@code --restore-database}), each with the restore point taken
 *     before the undone deployment; empty without {@code --restore-database}
 * @param notes what a person should know (a database the undone deployment did not change, …)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RollbackPlan(
    ReleaseRecord release,
    String live,
    ReleaseRecord undone,
    List<String> unknownMigrations,
    List<RestorePoint> restores,
    List<String> notes,
    int attempt) {
  public RollbackPlan {
    unknownMigrations = unknownMigrations == null ? List.of() : List.copyOf(unknownMigrations);
    restores = restores == null ? List.of() : List.copyOf(restores);
    notes = notes == null ? List.of() : List.copyOf(notes);
  }
}
