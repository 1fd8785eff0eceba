package dev.flaredeploy.activities.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TickingTest {

  @Test
  void workThatRunsForSecondsIsHeartbeatedWhileItRunsAndItsResultReturned() {
    AtomicInteger ticks = new AtomicInteger();

    String result = Ticking.call(ticks::incrementAndGet, "sleeper", () -> {
      sleep(3_500);
      return "done";
    });

    assertThat(result).isEqualTo("done");
    assertThat(ticks.get()).as("about one tick a second while the work ran").isBetween(2, 5);
  }

  @Test
  void theWorksExceptionReachesTheCaller() {
    assertThatThrownBy(() -> Ticking.call(() -> { }, "failing", () -> {
      throw new IllegalArgumentException("near \"DROPP\": syntax error");
    })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("syntax error");
  }

  @Test
  void aTickThatThrowsStopsTheWaitAtOnce() {
    long start = System.nanoTime();

    assertThatThrownBy(() -> Ticking.call(() -> {
      throw new IllegalStateException("activity cancelled");
    }, "endless", () -> {
      sleep(60_000);
      return null;
    })).hasMessage("activity cancelled");

    assertThat((System.nanoTime() - start) / 1_000_000).as("ms waited").isLessThan(10_000);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
