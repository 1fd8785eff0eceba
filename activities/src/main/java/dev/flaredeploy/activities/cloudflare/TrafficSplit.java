package dev.flaredeploy.activities.cloudflare;

import dev.flaredeploy.activities.cloudflare.api.CloudflareApi.Deployment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Worker's deployment: which versions get which share of the traffic.
 *
 * @param versions version id → percentage, in the deployment's order
 */
record TrafficSplit(String deploymentId, Map<String, Double> versions) {
  private static final double EPSILON = 1e-3;

  TrafficSplit {
    versions = Collections.unmodifiableMap(new LinkedHashMap<>(versions));
  }

  static TrafficSplit of(Deployment deployment) {
    return new TrafficSplit(deployment.id(), deployment.versions());
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

  /** {@code 1234abcd… at 100 %} or {@code 1234abcd… at 90 %, 5678efgh… at 10 %}, for messages. */
  String describe() {
    List<String> parts = new ArrayList<>();
    versions.forEach((id, pct) -> parts.add(id + " at " + formatPercent(pct)));
    return String.join(", ", parts);
  }

  static String formatPercent(double pct) {
    return (pct == Math.rint(pct) ? String.valueOf((long) pct) : String.valueOf(pct)) + " %";
  }
}
