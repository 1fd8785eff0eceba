package dev.flaredeploy.workflows;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.TreeSet;

/**
 * The id of a fleet run: {@code fleet:<target>:<services>:<environments>}, e.g. {@code
 * fleet:local:hello-d1:tenant-*}. {@code services} are the members' service names and {@code environments} the
 * {@code --env} values as given (names or globs), each sorted, without repeats, joined with {@code +} and {@code
 * ,}. The same selection always has the same id, whatever the order it was typed in, and the id is the fleet's
 * lock: one fleet run per selection at a time (each member is locked on its own by its deployment id).
 *
 * <p>An id longer than {@value #MAX_LENGTH} characters (a large monorepo) becomes {@code
 * fleet:<target>:<first service>+<n more>:<12 hex digits>}, a digest of the long form.
 */
public final class FleetIds {
  private static final String PREFIX = "fleet:";
  static final int MAX_LENGTH = 200;

  /**
   * @param services the members' service names (any order, repeats allowed)
   * @param environments the {@code --env} values as given (names or globs; any order, repeats allowed)
   */
  public static String fleetId(String target, Collection<String> services, Collection<String> environments) {
    TreeSet<String> sortedServices = new TreeSet<>(services);
    String id = PREFIX + target + ":" + String.join("+", sortedServices) + ":"
        + String.join(",", new TreeSet<>(environments));
    if (id.length() <= MAX_LENGTH) {
      return id;
    }
    return PREFIX + target + ":" + sortedServices.first() + "+" + (sortedServices.size() - 1) + ":" + digest(id);
  }

  public static boolean isFleetId(String id) {
    return id != null && id.startsWith(PREFIX) && id.split(":", -1).length == 4;
  }

  private static String digest(String text) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private FleetIds() {}
}
