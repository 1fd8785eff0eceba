package dev.flaredeploy.activities.local;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where wrangler's local mode keeps a D1 database: one SQLite file per database under the persistence
 * directory, {@code <persist-to>/v3/d1/miniflare-D1DatabaseObject/<object id>.sqlite}. {@code wrangler d1 …
 * --local} and {@code wrangler dev} use the same file (shared notes on wrangler §1, §6).
 *
 * <p>The database is a Durable Object of class {@code D1DatabaseObject} whose name is the database's local
 * id ({@code preview_database_id ?? database_id ?? binding}, wrangler's {@code d1DatabaseEntry}); workerd
 * names the object's file after {@code idFromName(name)} of the namespace {@code miniflare-D1DatabaseObject}
 * (miniflare's {@code durableObjectNamespaceIdFromName}): with {@code key = sha256(namespace)}, the first
 * 16 bytes of {@code HMAC-SHA256(key, name)} followed by the first 16 bytes of {@code HMAC-SHA256(key,
 * those 16 bytes)}, in hex. Pure.
 */
public final class D1Files {
  /** The Durable Object namespace of D1 databases in miniflare ({@code miniflare-D1DatabaseObject}). */
  static final String NAMESPACE = "miniflare-D1DatabaseObject";

  private D1Files() {}

  /** The D1 state of a persistence directory ({@code <persist-to>/v3/d1}): what the local target shares. */
  public static Path root(Path persistTo) {
    return persistTo.resolve("v3").resolve("d1");
  }

  /** The directory of every local D1 database of a persistence directory. */
  public static Path directory(Path persistTo) {
    return root(persistTo).resolve(NAMESPACE);
  }

  /** The SQLite file of the database whose local id is {@code localId}. */
  public static Path database(Path persistTo, String localId) {
    return databaseIn(root(persistTo), localId);
  }

  /** The SQLite file of the database {@code localId} in a D1 state directory ({@link #root}). */
  public static Path databaseIn(Path d1Root, String localId) {
    return d1Root.resolve(NAMESPACE).resolve(fileName(localId));
  }

  /** The file name wrangler's local mode gives the database {@code localId}. */
  public static String fileName(String localId) {
    return objectId(localId) + ".sqlite";
  }

  /** workerd's {@code idFromName} in the D1 namespace, as 64 hex digits. */
  static String objectId(String name) {
    try {
      byte[] key = MessageDigest.getInstance("SHA-256").digest(NAMESPACE.getBytes(StandardCharsets.UTF_8));
      byte[] nameHmac = truncated(hmac(key, name.getBytes(StandardCharsets.UTF_8)));
      byte[] check = truncated(hmac(key, nameHmac));
      return HexFormat.of().formatHex(nameHmac) + HexFormat.of().formatHex(check);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JVM has SHA-256 and HmacSHA256", e);
    }
  }

  private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data);
  }

  private static byte[] truncated(byte[] digest) {
    byte[] half = new byte[16];
    System.arraycopy(digest, 0, half, 0, 16);
    return half;
  }
}
