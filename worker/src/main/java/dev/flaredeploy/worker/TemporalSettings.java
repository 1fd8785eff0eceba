package dev.flaredeploy.worker;

import io.temporal.envconfig.ClientConfigProfile;
import io.temporal.envconfig.LoadClientConfigProfileOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Where Temporal is, following Temporal's own conventions (temporal-envconfig): {@code TEMPORAL_ADDRESS},
 * {@code TEMPORAL_NAMESPACE}, TLS and API key variables, and {@code temporal.toml} profiles; flags given
 * on the command line win.
 *
 * @param explicit true when the address was asked for (flag, environment or profile) rather than the
 *     default: an explicit address that does not answer is an error, the default one means "embedded"
 */
public record TemporalSettings(ClientConfigProfile profile, boolean explicit) {
  public static final String DEFAULT_ADDRESS = "127.0.0.1:7233";
  public static final String DEFAULT_NAMESPACE = "default";

  /** Loads the profile from the environment and file, then applies the flags (null = not given). */
  public static TemporalSettings load(String addressFlag, String namespaceFlag, Map<String, String> env) {
    ClientConfigProfile loaded;
    try {
      loaded = ClientConfigProfile.load(
          LoadClientConfigProfileOptions.newBuilder().setEnvOverrides(env).build());
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the Temporal client config: " + e.getMessage(), e);
    }
    boolean explicit = addressFlag != null || loaded.getAddress() != null;
    ClientConfigProfile.Builder builder = loaded.toBuilder();
    builder.setAddress(addressFlag != null ? addressFlag
        : loaded.getAddress() != null ? loaded.getAddress() : DEFAULT_ADDRESS);
    builder.setNamespace(namespaceFlag != null ? namespaceFlag
        : loaded.getNamespace() != null ? loaded.getNamespace() : DEFAULT_NAMESPACE);
    return new TemporalSettings(builder.build(), explicit);
  }

  public String address() {
    return profile.getAddress();
  }

  public String namespace() {
    return profile.getNamespace();
  }

  /** Never prints the API key (the profile's own toString does). */
  @Override
  public String toString() {
    return "TemporalSettings[address=" + address() + ", namespace=" + namespace() + "]";
  }
}
