package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * @param applied what this deployment applied (and kept); checkpoint is the restore point taken
 * @param export path of the SQL export kept with the checkpoint ({@code [checkpoint] export}), or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DatabaseReport(
    String binding, List<String> pending, List<String> applied, String checkpoint, String export) {
  public DatabaseReport(String binding, List<String> pending, List<String> applied, String checkpoint) {
    this(binding, pending, applied, checkpoint, null);
  }
}
