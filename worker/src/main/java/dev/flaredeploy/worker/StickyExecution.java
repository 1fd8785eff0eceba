package dev.flaredeploy.worker;

import java.util.Map;
import java.util.function.Supplier;

/**
 * Whether a worker uses sticky execution (workflow state cached on the worker, tasks routed to its own queue).
 * On by default; off against the Java test server, which never moves a workflow task off a dead worker's
 * sticky queue (a deployment whose worker died would wait forever); off when asked ({@code --no-sticky} or
 * {@code TEMPORAL_DISABLE_STICKY=true}), which only costs some replay on a real server.
 *
 * @param sticky whether the worker keeps sticky execution on
 * @param reason what was decided and why, for the worker's first line on stderr
 */
public record StickyExecution(boolean sticky, String reason) {
  public static final String DISABLE_VARIABLE = "TEMPORAL_DISABLE_STICKY";

  /**
   * @param noStickyFlag {@code --no-sticky} was given
   * @param env the worker's environment (for {@value #DISABLE_VARIABLE})
   * @param server asked only when neither override says off
   */
  public static StickyExecution choose(boolean noStickyFlag, Map<String, String> env, Supplier<ServerKind> server) {
    if (noStickyFlag) {
      return new StickyExecution(false, "sticky execution off (--no-sticky)");
    }
    if ("true".equalsIgnoreCase(env.getOrDefault(DISABLE_VARIABLE, "").strip())) {
      return new StickyExecution(false, "sticky execution off (" + DISABLE_VARIABLE + "=true)");
    }
    return server.get() == ServerKind.JAVA_TEST_SERVER
        ? new StickyExecution(false, "the server is the in-memory Java test server (flaredeploy dev-server), which"
            + " never moves a workflow off a dead worker's sticky queue: sticky execution off, so a deployment"
            + " carries on on another worker after a crash")
        : new StickyExecution(true, "sticky execution on (a Temporal server moves work off a dead worker itself)");
  }
}
