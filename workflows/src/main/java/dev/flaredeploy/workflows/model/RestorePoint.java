package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Where one database can be put back to.
 *
 * @param location local: path of the SQL export; cloudflare: a Time Travel bookmark
 * @param export path of an SQL export of the database taken with this restore point and kept as a file
 *     ({@code [checkpoint] export = true} on Cloudflare), or null; the restore itself uses {@code location}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RestorePoint(String binding, String location, String export) {
  /** A restore point without a kept export. */
  public RestorePoint(String binding, String location) {
    this(binding, location, null);
  }
}
