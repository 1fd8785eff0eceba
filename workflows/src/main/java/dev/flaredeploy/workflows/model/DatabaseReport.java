package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** @param applied what this deployment applied (and kept); checkpoint is the restore point taken */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DatabaseReport(
    String binding, List<String> pending, List<String> applied, String checkpoint) {}
