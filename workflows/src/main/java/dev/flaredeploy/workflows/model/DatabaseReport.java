package dev.flaredeploy.workflows.model;

import java.util.List;

/** @param applied what this deployment applied (and kept); checkpoint is the restore point taken */
public record DatabaseReport(
    String binding, List<String> pending, List<String> applied, String checkpoint) {}
