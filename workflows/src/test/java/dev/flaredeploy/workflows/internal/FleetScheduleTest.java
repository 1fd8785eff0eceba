package dev.flaredeploy.workflows.internal;

import static dev.flaredeploy.workflows.model.FleetMemberState.FAILED;
import static dev.flaredeploy.workflows.model.FleetMemberState.PENDING;
import static dev.flaredeploy.workflows.model.FleetMemberState.ROLLED_BACK;
import static dev.flaredeploy.workflows.model.FleetMemberState.RUNNING;
import static dev.flaredeploy.workflows.model.FleetMemberState.SKIPPED;
import static dev.flaredeploy.workflows.model.FleetMemberState.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flaredeploy.workflows.model.FleetMemberState;
import dev.flaredeploy.workflows.model.FleetOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Waves and the failure budget, without Temporal. */
class FleetScheduleTest {

  @Test
  void canaryRunsAloneThenTheRestParallelAtATimeInOrder() {
    FleetSchedule s = schedule(6, new FleetOptions(1, 2, 0, false));

    assertThat(s.startable()).containsExactly(0);
    s.started(0);
    assertThat(s.startable()).as("nothing joins the canary").isEmpty();
    s.ended(0, SUCCEEDED);

    assertThat(s.startable()).containsExactly(1, 2);
    s.started(1);
    s.started(2);
    assertThat(s.startable()).isEmpty();
    s.ended(2, SUCCEEDED);
    assertThat(s.startable()).as("one slot free").containsExactly(3);
  }

  @Test
  void severalCanariesRunAtMostParallelAtOnceAndTheRestWaitsForAllOfThem() {
    FleetSchedule s = schedule(5, new FleetOptions(3, 2, 0, false));

    assertThat(s.startable()).containsExactly(0, 1);
    s.started(0);
    s.started(1);
    s.ended(0, SUCCEEDED);
    assertThat(s.startable()).as("the third canary, not a later member").containsExactly(2);
    s.started(2);
    s.ended(1, SUCCEEDED);
    assertThat(s.startable()).as("members after the canaries wait until every canary ended").isEmpty();
    s.ended(2, SUCCEEDED);
    assertThat(s.startable()).containsExactly(3, 4);
  }

  @Test
  void noCanaryStartsParallelMembersAtOnce() {
    FleetSchedule s = schedule(5, new FleetOptions(0, 4, 0, false));

    assertThat(s.startable()).containsExactly(0, 1, 2, 3);
  }

  @Test
  void aFailureBeyondTheBudgetStartsNothingMoreAndSkipsEveryPendingMember() {
    FleetSchedule s = schedule(5, new FleetOptions(1, 2, 0, false));
    s.started(0);
    s.ended(0, SUCCEEDED);
    s.started(1);
    s.started(2);

    s.ended(2, ROLLED_BACK);

    assertThat(s.budgetSpent()).isTrue();
    assertThat(s.startable()).isEmpty();
    assertThat(s.skipUnreachable()).containsOnlyKeys(3, 4)
        .allSatisfy((i, why) -> assertThat(why).contains("1 member failed", "failure budget of 0", "--max-failures"));
    assertThat(s.state(1)).as("a running member finishes").isEqualTo(RUNNING);
    s.ended(1, SUCCEEDED);
    assertThat(s.done()).isTrue();
    assertThat(s.count(SKIPPED)).isEqualTo(2);
  }

  @Test
  void failuresWithinTheBudgetLetTheFleetGoOn() {
    FleetSchedule s = schedule(4, new FleetOptions(1, 1, 1, false));
    s.started(0);
    s.ended(0, FAILED);

    assertThat(s.skipUnreachable()).as("a failed canary within the budget").isEmpty();
    assertThat(s.startable()).containsExactly(1);
    s.started(1);
    s.ended(1, ROLLED_BACK);

    assertThat(s.failures()).isEqualTo(2);
    assertThat(s.skipUnreachable()).containsOnlyKeys(2, 3);
  }

  @Test
  void aMemberWaitsForTheWorkersItBindsAndANextOneTakesItsSlot() {
    // 0: api; 1: web binds api; 2: jobs
    FleetSchedule s = new FleetSchedule(List.of("api", "web", "jobs"), List.of(List.of(), List.of(0), List.of()),
        new FleetOptions(0, 2, 0, false), pending(3));

    assertThat(s.startable()).as("web waits for api; jobs takes the second slot").containsExactly(0, 2);
    s.started(0);
    s.started(2);
    s.ended(0, SUCCEEDED);
    assertThat(s.startable()).containsExactly(1);
  }

  @Test
  void aMemberWhoseBoundWorkerDidNotSucceedIsSkippedNamingIt() {
    FleetSchedule s = new FleetSchedule(List.of("api (production)", "web (production)"),
        List.of(List.of(), List.of(0)), new FleetOptions(0, 2, 5, false), pending(2));
    s.started(0);
    s.ended(0, ROLLED_BACK);

    assertThat(s.skipUnreachable()).containsExactly(
        java.util.Map.entry(1, "not started: it binds api (production), which ended ROLLED_BACK"));
    assertThat(s.done()).isTrue();
  }

  @Test
  void aScheduleRebuiltFromEndedMembersGoesOnWhereItWas() {
    List<FleetMemberState> states = new ArrayList<>(pending(5));
    states.set(0, SUCCEEDED);
    states.set(1, SUCCEEDED);
    FleetSchedule s = new FleetSchedule(names(5), noDependencies(5), new FleetOptions(1, 2, 0, false), states);

    assertThat(s.startable()).containsExactly(2, 3);
  }

  @Test
  void cancellingSkipsEveryPendingMemberAndLeavesRunningOnesToFinish() {
    FleetSchedule s = schedule(4, new FleetOptions(0, 2, 0, false));
    s.started(0);
    s.started(1);

    assertThat(s.skipPending()).containsExactly(2, 3);
    assertThat(s.state(0)).isEqualTo(RUNNING);
    assertThat(s.done()).isFalse();
  }

  @Test
  void aMemberEndsOnceAndNeverAsSkipped() {
    FleetSchedule s = schedule(2, new FleetOptions(0, 2, 0, false));
    s.started(0);
    s.ended(0, SUCCEEDED);

    assertThatThrownBy(() -> s.ended(0, FAILED)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> s.ended(1, SKIPPED)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.started(0)).isInstanceOf(IllegalStateException.class);
  }

  private static FleetSchedule schedule(int size, FleetOptions options) {
    return new FleetSchedule(names(size), noDependencies(size), options, pending(size));
  }

  private static List<String> names(int size) {
    return IntStream.range(0, size).mapToObj(i -> "m" + i).toList();
  }

  private static List<List<Integer>> noDependencies(int size) {
    return Collections.nCopies(size, List.of());
  }

  private static List<FleetMemberState> pending(int size) {
    return Collections.nCopies(size, PENDING);
  }
}
