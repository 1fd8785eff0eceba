package dev.flaredeploy.activities.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flaredeploy.activities.process.WranglerOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what wrangler 4.86 prints for the remote commands the Cloudflare target runs (shared notes on
 * wrangler §1–§4). Pure: no processes, no files. Input is expected with ANSI escapes removed.
 */
final class CloudflareOutput {
  private static final Pattern MIGRATION_FAILED =
      Pattern.compile("Migration (\\S+) failed with the following errors:");
  /** A row of the status table of {@code d1 migrations apply}: {@code │ 0002_x.sql │ ❌ │}. */
  private static final Pattern FAILED_ROW = Pattern.compile("│\\s*(\\S+)\\s*│\\s*❌");
  /** A version preview URL: {@code https://<first 8 of the version id>-<worker>.<subdomain>.workers.dev}. */
  private static final Pattern PREVIEW_URL = Pattern.compile("https://[0-9a-f]{8}-(.+)$");
  private static final double EPSILON = 1e-3;
  private static final Pattern CREATED_ID =
      Pattern.compile("\"?database_id\"?\\s*[=:]\\s*\"([0-9a-fA-F-]{36})\"");

  private CloudflareOutput() {}

  // ---- d1 execute --json ----

  /** The {@code name} column of the first statement of a successful {@code d1 execute --json}. */
  static Optional<List<String>> names(String stdout) {
    return WranglerOutput.json(stdout)
        .filter(JsonNode::isArray)
        .filter(array -> array.size() > 0 && array.get(0).path("results").isArray())
        .map(array -> {
          List<String> names = new ArrayList<>();
          array.get(0).path("results").forEach(row -> names.add(row.path("name").asText()));
          return List.copyOf(names);
        });
  }

  /** The rows of the first statement of a successful {@code d1 execute --json}, values as text. */
  static Optional<List<Map<String, String>>> rows(String stdout) {
    return WranglerOutput.json(stdout)
        .filter(JsonNode::isArray)
        .filter(array -> array.size() > 0 && array.get(0).path("results").isArray())
        .map(array -> {
          List<Map<String, String>> rows = new ArrayList<>();
          for (JsonNode row : array.get(0).path("results")) {
            Map<String, String> values = new java.util.LinkedHashMap<>();
            row.fields().forEachRemaining(
                f -> values.put(f.getKey(), f.getValue().isNull() ? null : f.getValue().asText()));
            rows.add(values);
          }
          return List.copyOf(rows);
        });
  }

  /**
   * The error of a failed {@code d1 execute --json}, printed on stdout as {@code {"error":{"text":…,
   * "notes":[{"text":…}]}}}; on remote the SQLite message is in the notes, which come first here.
   */
  static Optional<String> executeError(String stdout) {
    return WranglerOutput.json(stdout)
        .map(node -> node.path("error"))
        .filter(JsonNode::isObject)
        .map(error -> {
          List<String> parts = new ArrayList<>();
          error.path("notes").forEach(note -> parts.add(note.path("text").asText("")));
          parts.add(error.path("text").asText(""));
          return String.join("\n", parts.stream().filter(p -> !p.isBlank()).toList()).trim();
        })
        .filter(text -> !text.isEmpty());
  }

  static boolean isMissingTable(String error, String table) {
    return error.toLowerCase(Locale.ROOT).contains("no such table: " + table.toLowerCase(Locale.ROOT));
  }

  // ---- d1 migrations apply ----

  /** A migration that {@code d1 migrations apply} reported as failed, and what D1 said about it. */
  record MigrationError(String file, String error) {
    /** True when D1 rejected the SQL itself (retrying cannot help), not the request (network, 5xx). */
    boolean isSqlError() {
      return error.contains("SQLITE_") || error.contains("[code: 7500]");
    }
  }

  /**
   * Reads a failed {@code d1 migrations apply --remote}: stderr has {@code ✘ [ERROR] Migration X failed with
   * the following errors:} followed by {@code ✘ [ERROR] <D1's message> [code: 7500]}; stdout has the status
   * table with X marked ❌. Empty when the failure was not about a migration (configuration, auth, …).
   */
  static Optional<MigrationError> migrationError(String stdout, String stderr) {
    Matcher matcher = MIGRATION_FAILED.matcher(stderr);
    if (matcher.find()) {
      List<String> lines = new ArrayList<>();
      for (String line : stderr.substring(matcher.end()).split("\\R")) {
        String text = WranglerOutput.withoutErrorPrefix(line.strip());
        if (text.isEmpty() || text.startsWith("🪵") || text.startsWith("If you think this is a bug")) {
          continue;
        }
        lines.add(text);
      }
      return Optional.of(new MigrationError(matcher.group(1), String.join("\n", lines)));
    }
    String failed = null;
    Matcher row = FAILED_ROW.matcher(stdout);
    while (row.find()) {
      failed = row.group(1);
    }
    return failed == null ? Optional.empty() : Optional.of(new MigrationError(failed, complaint(stdout, stderr)));
  }

  // ---- d1 time-travel --json ----

  /** {@code d1 time-travel info --json}: {@code {"bookmark": "…"}}. */
  static Optional<String> bookmark(String stdout) {
    return WranglerOutput.json(stdout).map(n -> n.path("bookmark").asText("")).filter(b -> !b.isBlank());
  }

  /** {@code d1 time-travel restore --json}: the bookmark restored to, and the one to undo the restore with. */
  record Restored(String bookmark, String previousBookmark) {}

  static Optional<Restored> restored(String stdout) {
    return WranglerOutput.json(stdout)
        .filter(n -> n.hasNonNull("bookmark"))
        .map(n -> new Restored(n.path("bookmark").asText(), n.path("previous_bookmark").asText(null)));
  }

  // ---- deployments status --json, versions list --json ----

  /**
   * A Worker's latest deployment: which versions get which share of traffic.
   *
   * @param versions version id → percentage, in the deployment's order
   */
  record TrafficSplit(String deploymentId, Map<String, Double> versions) {
    TrafficSplit {
      versions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(versions));
    }

    /** The version with (about) 100 %, if one has all the traffic. */
    Optional<String> fullVersion() {
      return versions.entrySet().stream()
          .filter(e -> e.getValue() >= 100 - EPSILON)
          .map(Map.Entry::getKey)
          .findFirst();
    }

    /** The version with the largest share (the 100 % one when there is one). */
    Optional<String> largestShare() {
      return versions.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey);
    }

    /** The same versions with (about) the same shares; a version at 0 % counts as being in the split. */
    boolean sameAs(TrafficSplit other) {
      return versions.keySet().equals(other.versions.keySet())
          && versions.entrySet().stream()
              .allMatch(e -> Math.abs(e.getValue() - other.versions.get(e.getKey())) < EPSILON);
    }

    boolean servesFully(String versionId) {
      return fullVersion().filter(versionId::equals).isPresent();
    }

    /** {@code 1234abcd… 100%} or {@code 1234abcd… 90%, 5678efgh… 10%}, for messages. */
    String describe() {
      List<String> parts = new ArrayList<>();
      versions.forEach((id, pct) -> parts.add(id + " at " + formatPercent(pct)));
      return String.join(", ", parts);
    }
  }

  /** {@code deployments status --json}: one deployment object with {@code versions[{version_id, percentage}]}. */
  static Optional<TrafficSplit> deployment(String stdout) {
    return WranglerOutput.json(stdout)
        .filter(n -> n.path("versions").isArray())
        .map(n -> {
          Map<String, Double> versions = new LinkedHashMap<>();
          n.path("versions").forEach(v -> versions.put(v.path("version_id").asText(), v.path("percentage").asDouble()));
          return new TrafficSplit(n.path("id").asText(null), versions);
        });
  }

  /** {@code The Worker X has no deployments.}: the Worker exists but serves nothing. */
  static boolean hasNoDeployments(String stderr) {
    return stderr.contains("has no deployments");
  }

  /**
   * The id of the newest version tagged {@code tag} ({@code annotations["workers/tag"]}) in the output of
   * {@code versions list --json} (an array of version objects; wrangler sorts it oldest first).
   */
  static Optional<String> newestTagged(String stdout, String tag) {
    Optional<JsonNode> parsed = WranglerOutput.json(stdout).filter(JsonNode::isArray);
    if (parsed.isEmpty()) {
      return Optional.empty();
    }
    JsonNode newest = null;
    for (JsonNode version : parsed.get()) {
      if (!tag.equals(version.path("annotations").path("workers/tag").asText(null))) {
        continue;
      }
      String created = version.path("metadata").path("created_on").asText("");
      if (newest == null || created.compareTo(newest.path("metadata").path("created_on").asText("")) >= 0) {
        newest = version;
      }
    }
    return Optional.ofNullable(newest).map(v -> v.path("id").asText()).filter(id -> !id.isBlank());
  }

  /** {@code versions view <id> --json}: the version's tag ({@code annotations["workers/tag"]}), if any. */
  static Optional<String> tagOf(String stdout) {
    return WranglerOutput.json(stdout)
        .map(v -> v.path("annotations").path("workers/tag").asText(""))
        .filter(tag -> !tag.isBlank());
  }

  /** True when stdout holds a JSON array (what {@code versions list --json} prints, even when empty). */
  static boolean isJsonArray(String stdout) {
    return WranglerOutput.json(stdout).filter(JsonNode::isArray).isPresent();
  }

  // ---- secret list --format json ----

  /** {@code secret list --format json}: {@code [{"name":"API_KEY","type":"secret_text"}]}. */
  static Optional<List<String>> secretNames(String stdout) {
    return WranglerOutput.json(stdout).filter(JsonNode::isArray).map(array -> {
      List<String> names = new ArrayList<>();
      array.forEach(s -> names.add(s.path("name").asText()));
      return List.copyOf(names);
    });
  }

  // ---- d1 list --json, d1 create ----

  /** {@code d1 list --json}: {@code [{"uuid": …, "name": …, …}]}, as database name → uuid. */
  static Optional<Map<String, String>> databaseIds(String stdout) {
    return WranglerOutput.json(stdout).filter(JsonNode::isArray).map(array -> {
      Map<String, String> ids = new LinkedHashMap<>();
      array.forEach(db -> ids.put(db.path("name").asText(), db.path("uuid").asText()));
      return ids;
    });
  }

  /** The {@code database_id} in the config snippet {@code d1 create} prints (TOML or JSON). */
  static Optional<String> createdDatabaseId(String stdout) {
    Matcher matcher = CREATED_ID.matcher(stdout);
    return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
  }

  // ---- URLs ----

  /**
   * The Worker's workers.dev URL, from the preview URL wrangler reported for one of its versions: {@code
   * https://1a2b3c4d-hello.acme.workers.dev} → {@code https://hello.acme.workers.dev}.
   */
  static Optional<String> workersDevUrl(String previewUrl, String workerName) {
    if (previewUrl == null) {
      return Optional.empty();
    }
    Matcher matcher = PREVIEW_URL.matcher(previewUrl.trim());
    if (!matcher.matches() || !matcher.group(1).startsWith(workerName + ".")) {
      return Optional.empty();
    }
    return Optional.of("https://" + matcher.group(1));
  }

  // ---- failures ----

  /**
   * What wrangler had to say when a command failed: the JSON error on stdout ({@code --json} commands),
   * else its {@code ✘ [ERROR]} lines and what follows them on stderr, else the tail of its output.
   */
  static String complaint(String stdout, String stderr) {
    return executeError(stdout).orElseGet(() -> WranglerOutput.errorTail(stdout, stderr));
  }


  static String formatPercent(double pct) {
    return (pct == Math.rint(pct) ? String.valueOf((long) pct) : String.valueOf(pct)) + " %";
  }
}
