package dev.flaredeploy.workflows.internal;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;

/** How the workflow reads the failures of its steps. Pure. */
public final class Failures {
  private Failures() {}

  public static boolean isCancellation(TemporalFailure e) {
    return e instanceof CanceledFailure || e.getCause() instanceof CanceledFailure;
  }

  /** The attempt an activity reported in its failure details (our activities put it first), else 1. */
  public static int attemptsOf(TemporalFailure e) {
    if (e.getCause() instanceof ApplicationFailure af) {
      try {
        Integer attempt = af.getDetails().get(0, Integer.class);
        return attempt == null ? 1 : attempt;
      } catch (RuntimeException notThere) {
        return 1;
      }
    }
    return 1;
  }

  /**
   * The message a person should read: the root application failure's, not Temporal's wrappers (an
   * activity's, or a child workflow's for a fleet member).
   */
  public static String messageOf(Throwable e) {
    Throwable t = e;
    while ((t instanceof ActivityFailure || t instanceof ChildWorkflowFailure) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApplicationFailure af) {
      return af.getOriginalMessage();
    }
    if (t instanceof TimeoutFailure tf) {
      return "timed out (" + tf.getTimeoutType() + ")";
    }
    return t.getMessage();
  }

  /** The failure type of an activity's application failure, or null. */
  public static String typeOf(Throwable e) {
    Throwable t = e;
    while (t instanceof ActivityFailure && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof ApplicationFailure af ? af.getType() : null;
  }
}
