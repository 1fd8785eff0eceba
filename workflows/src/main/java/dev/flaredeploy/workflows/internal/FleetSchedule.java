package dev.flaredeploy.workflows.internal;

import dev.flaredeploy.workflows.model.FleetMemberState;
import dev.flaredeploy.workflows.model.FleetOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which fleet members start when: waves and the failure budget, as plain logic (no Temporal), so the fleet
 * workflow only starts what it is told and reports what ended.
 *
 * <ul>
 *   <li>The first {@code canary} members (in order) run first, at most {@code parallel} at once; the rest start
 *       only once every canary ended.
 *   <li>Then members start in order, at most {@code parallel} running at once. A member whose {@code after}
 *       members (the Workers it binds) have not all succeeded yet waits, and the next one in order may start in
 *       its place.
 *   <li>Once more than {@code maxFailures} members failed, nothing starts any more: running members finish and
 *       every pending member is skipped.
 *   <li>A member one of whose {@code after} members ended without succeeding is skipped.
 * </ul>
 *
 * <p>The state is only the members' states, so a schedule rebuilt from a continued-as-new fleet's finished
 * members goes on where it was.
 */
public final class FleetSchedule {
  private final List<String> names;
  private final List<List<Integer>> after;
  private final FleetOptions options;
  private final FleetMemberState[] states;

  /**
   * @param names per member, how messages name it (e.g. its service and environment)
   * @param after per member, the indexes of the members it must wait for (each lower than its own)
   * @param states per member, its state now (PENDING for a new fleet)
   */
  public FleetSchedule(
      List<String> names, List<List<Integer>> after, FleetOptions options, List<FleetMemberState> states) {
    if (after.size() != states.size() || names.size() != states.size()) {
      throw new IllegalArgumentException(names.size() + " names and " + after.size() + " dependency lists for "
          + states.size() + " members");
    }
    this.names = List.copyOf(names);
    this.after = List.copyOf(after);
    this.options = options;
    this.states = states.toArray(FleetMemberState[]::new);
  }

  public FleetMemberState state(int member) {
    return states[member];
  }

  public void started(int member) {
    require(member, FleetMemberState.PENDING);
    states[member] = FleetMemberState.RUNNING;
  }

  /** A member ended: {@code state} is an end state other than SKIPPED. */
  public void ended(int member, FleetMemberState state) {
    if (!state.ended() || state == FleetMemberState.SKIPPED) {
      throw new IllegalArgumentException("a member ends in an end state, not " + state);
    }
    if (states[member] != FleetMemberState.RUNNING && states[member] != FleetMemberState.PENDING) {
      throw new IllegalStateException("member " + member + " already ended " + states[member]);
    }
    states[member] = state;
  }

  /**
   * Skips what can no longer start: every pending member once the budget is spent, else those whose
   * dependencies did not all succeed. Returns the members skipped now, each with the reason.
   */
  public Map<Integer, String> skipUnreachable() {
    Map<Integer, String> skipped = new LinkedHashMap<>();
    int failures = failures();
    boolean spent = budgetSpent();
    for (int i = 0; i < states.length; i++) {
      if (states[i] != FleetMemberState.PENDING) {
        continue;
      }
      if (spent) {
        states[i] = FleetMemberState.SKIPPED;
        skipped.put(i, "not started: " + failures + " member" + (failures == 1 ? "" : "s") + " failed, more than "
            + "the failure budget of " + options.maxFailures() + " (--max-failures)");
        continue;
      }
      for (int dependency : after.get(i)) {
        FleetMemberState d = states[dependency];
        if (d.ended() && d != FleetMemberState.SUCCEEDED) {
          states[i] = FleetMemberState.SKIPPED;
          skipped.put(i, "not started: it binds " + names.get(dependency) + ", which ended " + d);
          break;
        }
      }
    }
    return skipped;
  }

  /** Skips every pending member (the fleet was cancelled); returns them. */
  public List<Integer> skipPending() {
    List<Integer> skipped = new ArrayList<>();
    for (int i = 0; i < states.length; i++) {
      if (states[i] == FleetMemberState.PENDING) {
        states[i] = FleetMemberState.SKIPPED;
        skipped.add(i);
      }
    }
    return skipped;
  }

  /** The members to start now, in order (call {@link #skipUnreachable()} first). */
  public List<Integer> startable() {
    List<Integer> next = new ArrayList<>();
    if (budgetSpent()) {
      return next;
    }
    int free = Math.max(1, options.parallel()) - count(FleetMemberState.RUNNING);
    int canary = Math.min(Math.max(0, options.canary()), states.length);
    boolean canariesDone = true;
    for (int i = 0; i < canary; i++) {
      canariesDone &= states[i].ended();
    }
    int limit = canariesDone ? states.length : canary;
    for (int i = 0; i < limit && next.size() < free; i++) {
      if (states[i] == FleetMemberState.PENDING && dependenciesSucceeded(i)) {
        next.add(i);
      }
    }
    return next;
  }

  public boolean budgetSpent() {
    return failures() > options.maxFailures();
  }

  public int failures() {
    int failures = 0;
    for (FleetMemberState s : states) {
      failures += s.failed() ? 1 : 0;
    }
    return failures;
  }

  public int count(FleetMemberState state) {
    int n = 0;
    for (FleetMemberState s : states) {
      n += s == state ? 1 : 0;
    }
    return n;
  }

  /** Every member ended. */
  public boolean done() {
    for (FleetMemberState s : states) {
      if (!s.ended()) {
        return false;
      }
    }
    return true;
  }

  private boolean dependenciesSucceeded(int member) {
    for (int dependency : after.get(member)) {
      if (states[dependency] != FleetMemberState.SUCCEEDED) {
        return false;
      }
    }
    return true;
  }

  private void require(int member, FleetMemberState expected) {
    if (states[member] != expected) {
      throw new IllegalStateException("member " + member + " is " + states[member] + ", not " + expected);
    }
  }
}
