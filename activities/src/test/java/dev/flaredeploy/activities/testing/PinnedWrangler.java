package dev.flaredeploy.activities.testing;

import dev.flaredeploy.activities.process.ProcessRunner;
import dev.flaredeploy.activities.process.Wrangler;
import dev.flaredeploy.testkit.ExampleProjects;
import java.nio.file.Path;
import java.util.List;

/** The repository's pinned wrangler ({@link ExampleProjects#pinnedWrangler()}) as the activities drive it. */
public final class PinnedWrangler {
  private PinnedWrangler() {}

  /** A {@link Wrangler} running the pinned binary, writing its logs under {@code logDir}. */
  public static Wrangler in(Path logDir) {
    return new Wrangler(List.of(ExampleProjects.pinnedWrangler().toString()), new ProcessRunner(), logDir);
  }
}
