package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * A content-addressed copy of the project taken by prepare.
 *
 * @param id sha256 over the snapshot's paths and contents; also the release version on the local target
 * @param path where the snapshot lives on the worker's machine
 * @param commit git commit of the source, or null outside git
 * @param dirty true when the working tree had uncommitted changes
 * @param projectDir the project directory the snapshot was taken from (absolute); with a clean {@code
 *     commit} it lets a worker that lacks the snapshot rebuild it from git. Null in plans recorded before
 *     it was added.
 * @param branches the local git branches the source is on, for the {@code branches} policy: the branch
 *     checked out (the working tree); with a commit asked for, the branch it names, else every local branch
 *     whose history contains it. Empty when none (detached HEAD, outside git); null in plans recorded
 *     before it was added.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SourceSnapshot(
    String id, String path, String commit, boolean dirty, String projectDir, List<String> branches) {}
