package dev.flaredeploy.activities.local;

import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.Wrangler;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Test helper run in a JVM of its own: releases a version and exits, as the CLI's in-process worker
 * does, so a test can check that the release outlives the JVM that started it.
 *
 * <p>Arguments: home service environment sourceId workdir port inspectorPort
 */
public final class ReleaseFromAnotherJvm {
  public static void main(String[] args) {
    LocalWorkspace workspace = new LocalWorkspace(Path.of(args[0]));
    Wrangler wrangler =
        new Wrangler(
            Wrangler.locate(Map.of()).orElseThrow(), new ProcessRunner(), workspace.logs());
    int inspectorPort = Integer.parseInt(args[6]);
    LocalReleases releases =
        new LocalReleases(
            workspace,
            wrangler,
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(),
            Clock.systemUTC(),
            Duration.ofSeconds(60),
            () -> inspectorPort);
    long start = System.nanoTime();
    RunningRelease release =
        releases.release(
            args[1], args[2], args[3], Path.of(args[4]), Integer.parseInt(args[5]), ProcessRunner.Tick.NONE);
    System.out.println(
        "released " + release.version() + " pid " + release.pid() + " in "
            + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
    System.exit(0);
  }
}
