package dev.flaredeploy.activities.releases;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flaredeploy.workflows.model.ReleaseRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The releases of one environment, oldest first, one JSON document a line in {@code
 * <flaredeploy home>/releases/<target>/<service>/<environment>.jsonl}: written by the worker's record-release
 * activity after each deployment that succeeded (and each rollback), read by {@code flaredeploy releases} and
 * {@code flaredeploy rollback}. A file in the home, so it outlives any Temporal server (the embedded one forgets
 * everything when the CLI exits) and works for both targets.
 *
 * <p>Appends are serialised across processes by a lock on the file, and idempotent by (kind, run id): a retried
 * activity does not record a run twice. A line that cannot be read (a torn write) is skipped.
 */
public final class ReleaseJournal {
  private static final ObjectMapper JSON = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path home;

  public ReleaseJournal(Path home) {
    this.home = home;
  }

  /** The journal file of one environment. */
  public Path file(String target, String service, String environment) {
    return home.resolve("releases").resolve(target).resolve(service).resolve(environment + ".jsonl");
  }

  /** Every record of the environment, oldest first; empty when nothing was recorded. */
  public List<ReleaseRecord> read(String target, String service, String environment) {
    Path file = file(target, service, environment);
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    List<ReleaseRecord> records = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        try {
          records.add(JSON.readValue(line, ReleaseRecord.class));
        } catch (IOException torn) {
          // a line a crash cut short: the run that wrote it records itself again when retried
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the release journal " + file, e);
    }
    return records;
  }

  /** Appends {@code record} unless a record of the same kind and run is there; returns the record kept. */
  public ReleaseRecord append(ReleaseRecord record) {
    String target = record.plan().target();
    Path file = file(target, record.plan().service(), record.plan().environment());
    try {
      Files.createDirectories(file.getParent());
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
           FileLock lock = channel.lock()) {
        for (ReleaseRecord existing : read(target, record.plan().service(), record.plan().environment())) {
          if (existing.kind().equals(record.kind()) && existing.runId().equals(record.runId())) {
            return existing;
          }
        }
        byte[] line = (JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
        channel.write(java.nio.ByteBuffer.wrap(line));
        channel.force(true);
        return record;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not append to the release journal " + file, e);
    }
  }
}
