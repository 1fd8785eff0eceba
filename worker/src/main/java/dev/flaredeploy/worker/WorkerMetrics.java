package dev.flaredeploy.worker;

import com.sun.net.httpserver.HttpServer;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import dev.flaredeploy.workflows.internal.DeploymentMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.function.DoubleSupplier;

/**
 * Prometheus metrics of a worker on {@code http://HOST:PORT/metrics}: the Temporal SDK's own (through its
 * Micrometer reporter, on the scope the connection's stubs carry) and flaredeploy's, which the workflows emit
 * through {@code Workflow.getMetricsScope()} ({@code flaredeploy_*}; step durations as histograms), plus the gauge
 * {@code flaredeploy_approvals_waiting}, counted from Temporal's visibility when scraped. Served by the JDK's
 * HttpServer; 127.0.0.1 unless told otherwise.
 */
public final class WorkerMetrics implements AutoCloseable {
  /** Buckets of the step-duration histograms: a step takes from under a second to an approval's hours. */
  static final Duration[] STEP_BUCKETS = {
    Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15),
    Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
    Duration.ofHours(1), Duration.ofHours(24)};

  private final PrometheusMeterRegistry registry;
  private final Scope scope;
  private HttpServer server;

  private WorkerMetrics(PrometheusMeterRegistry registry, Scope scope) {
    this.registry = registry;
    this.scope = scope;
  }

  /**
   * A registry and the scope to give the connection's stubs; reports to the registry every {@code reportEvery}.
   */
  public static WorkerMetrics create(Duration reportEvery) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (!id.getName().startsWith(DeploymentMetrics.STEP_DURATION)) {
          return config;
        }
        double[] slos = new double[STEP_BUCKETS.length];
        for (int i = 0; i < slos.length; i++) {
          slos[i] = STEP_BUCKETS[i].toNanos();
        }
        return DistributionStatisticConfig.builder().serviceLevelObjectives(slos).build().merge(config);
      }
    });
    Scope scope = new RootScopeBuilder()
        .reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(com.uber.m3.util.Duration.ofMillis(reportEvery.toMillis()));
    return new WorkerMetrics(registry, scope);
  }

  /** The tally scope for {@code WorkflowServiceStubsOptions.setMetricsScope}. */
  public Scope scope() {
    return scope;
  }

  /** {@code flaredeploy_approvals_waiting}, read from {@code waiting} at each scrape. */
  public void approvalsWaiting(DoubleSupplier waiting) {
    Gauge.builder("flaredeploy_approvals_waiting", waiting, DoubleSupplier::getAsDouble)
        .description("deployments waiting for an approval now")
        .register(registry);
  }

  /** Serves {@code /metrics} on {@code host:port} (port 0: a free one); returns the port. */
  public int serve(String host, int port) {
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("could not serve metrics on " + host + ":" + port + " (" + e.getMessage() + ")", e);
    }
    server.createContext("/metrics", exchange -> {
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "flaredeploy-metrics");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
    }
    try {
      scope.close();
    } catch (com.uber.m3.tally.ScopeCloseException e) {
      // the last report is lost with the process anyway
    }
  }
}
