package io.latchkey.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.latchkey.ForwardingStore;
import io.latchkey.MapTokenStore;
import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.UsageUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The usage flush: chunks, retries of one chunk, nothing resent, slots that do not outlive use. */
class UsageBufferTest {
  /** Every applyUsage call: its ids, and whether the store accepted it. */
  final List<List<String>> calls = new ArrayList<>();
  final List<Boolean> accepted = new ArrayList<>();
  /** Decides, per call (by its index), whether the store fails it. */
  Predicate<Integer> failCall = i -> false;
  final Map<String, Integer> written = new HashMap<>();
  /** Every update the store accepted, in order. */
  final List<UsageUpdate> updates = new java.util.concurrent.CopyOnWriteArrayList<>();

  final ForwardingStore store = new ForwardingStore(new MapTokenStore()) {
    @Override
    public void applyUsage(Collection<UsageUpdate> updates) {
      int call = calls.size();
      calls.add(updates.stream().map(UsageUpdate::tokenId).toList());
      boolean fail = failCall.test(call);
      accepted.add(!fail);
      if (fail) throw new StoreUnavailableException("down", null);
      for (UsageUpdate u : updates) written.merge(u.tokenId(), 1, Integer::sum);
      UsageBufferTest.this.updates.addAll(updates);
    }
  };

  UsageBuffer buffer = new UsageBuffer(store, 10, Duration.ofMillis(1));

  void use(int tokens, long at) {
    for (int i = 0; i < tokens; i++) {
      buffer.record(buffer.peek(String.format("%016d", i)), at, "192.0.2.1", null);
    }
  }

  @Test
  void flush_writesInChunksOfTheConfiguredSize() {
    use(35, 1);
    assertThat(buffer.flush()).isEqualTo(35);
    assertThat(calls).extracting(List::size).containsExactly(10, 10, 10, 5);
    assertThat(written).hasSize(35).allSatisfy((id, times) -> assertThat(times).isOne());
    assertThat(buffer.pending()).isZero();
  }

  @Test
  void flush_failedChunk_isRetriedAloneAndWrittenChunksAreNotResent() {
    use(30, 1);
    failCall = i -> i == 1; // the second chunk fails once
    assertThat(buffer.flush()).isEqualTo(30);
    assertThat(calls).extracting(List::size).containsExactly(10, 10, 10, 10);
    assertThat(calls.get(2)).as("the retry is the failed chunk, alone").isEqualTo(calls.get(1));
    assertThat(written).hasSize(30).allSatisfy((id, times) -> assertThat(times).isOne());
  }

  @Test
  void flush_chunkFailingEveryTry_stopsAndLeavesTheRestForTheNextFlush() {
    use(30, 1);
    failCall = i -> i >= 1; // the first chunk is written, then the store goes down
    assertThat(buffer.flush()).isEqualTo(10);
    assertThat(calls).hasSize(1 + UsageBuffer.ATTEMPTS);
    assertThat(buffer.pending()).isEqualTo(20);

    calls.clear();
    failCall = i -> false;
    assertThat(buffer.flush()).isEqualTo(20);
    assertThat(calls).extracting(List::size).containsExactly(10, 10);
    assertThat(written).as("each token written once: the first chunk was not sent again")
        .hasSize(30).allSatisfy((id, times) -> assertThat(times).isOne());
  }

  @Test
  void flush_idle_callsNothing() {
    use(5, 1);
    buffer.flush();
    calls.clear();
    assertThat(buffer.flush()).isZero();
    assertThat(calls).isEmpty();
  }

  @Test
  void flush_useDuringFlush_isWrittenByTheNextFlush() {
    use(1, 1);
    failCall = i -> {
      if (i == 0) use(1, 2); // a use recorded while the store writes the first one
      return false;
    };
    assertThat(buffer.flush()).isEqualTo(1);
    assertThat(buffer.pending()).isOne();
    assertThat(buffer.flush()).isEqualTo(1);
    assertThat(calls).hasSize(2);
  }

  /** A cached entry's own slot, as {@code CompiledToken} makes one. */
  static UsageBuffer.Slot entry(String id) {
    return new UsageBuffer.Slot(id, false);
  }

  @Test
  void slots_beyondTheCache_liveOnlyUntilWritten() {
    UsageBuffer.Slot cached = entry("c000000000000000");
    UsageBuffer.Slot shared = buffer.peek("u000000000000000");
    assertThat(buffer.peek("u000000000000000")).as("one shared slot per token").isSameAs(shared);
    assertThat(buffer.slotCount()).as("the shared slot").isOne();
    buffer.record(cached, 1, null, null);
    buffer.record(shared, 1, null, null);
    assertThat(buffer.slotCount()).as("the shared slot and the entry's queued").isEqualTo(2);

    assertThat(buffer.flush()).isEqualTo(2);
    assertThat(buffer.slotCount()).as("the written shared slot is dropped, nothing queued").isZero();
  }

  @Test
  void record_intoAnEntryAfterItsFlush_queuesItAgain() {
    UsageBuffer.Slot cached = entry("c000000000000000");
    buffer.record(cached, 1, null, null);
    assertThat(buffer.flush()).isOne();
    buffer.record(cached, 2, null, null);
    assertThat(buffer.pending()).isOne();
    assertThat(buffer.flush()).isOne();
    assertThat(updates).extracting(u -> u.usedAt().toEpochMilli()).containsExactly(1L, 2L);
  }

  @Test
  void flush_oldAndReloadedEntryOfOneToken_writesTheLaterUseOnce() {
    UsageBuffer.Slot old = entry("c000000000000000");
    UsageBuffer.Slot reloaded = entry("c000000000000000");
    buffer.record(old, 9, "192.0.2.9", null);
    buffer.record(reloaded, 8, "192.0.2.8", null);
    assertThat(buffer.flush()).isOne();
    assertThat(calls).containsExactly(List.of("c000000000000000"));
    assertThat(updates).extracting(u -> u.usedAt().toEpochMilli(), UsageUpdate::clientIp)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(9L, "192.0.2.9"));
  }

  @Test
  void record_intoADroppedSharedSlot_isStillWritten() {
    UsageBuffer.Slot slot = buffer.peek("c000000000000000");
    buffer.record(slot, 6, null, null);
    buffer.flush(); // written: dropped from the map
    buffer.record(slot, 7, null, null); // e.g. a validation that still held it
    assertThat(buffer.flush()).isOne();
    assertThat(written).containsEntry("c000000000000000", 2);
  }

  @Test
  void record_intoADroppedSharedSlotWhenTheTokenHasANewerOne_isWrittenOnceThroughTheNewer() {
    UsageBuffer.Slot old = buffer.peek("c000000000000000");
    buffer.record(old, 6, null, null);
    buffer.flush();
    calls.clear();
    UsageBuffer.Slot newer = buffer.peek("c000000000000000");
    assertThat(newer).isNotSameAs(old);
    buffer.record(old, 7, null, null);
    buffer.record(newer, 8, null, null);
    assertThat(buffer.flush()).isOne();
    assertThat(calls).containsExactly(List.of("c000000000000000"));
  }

  @Test
  void drain_storeDown_stopsAtTheDeadlineAndReportsWhatIsLeft() {
    use(25, 1);
    failCall = i -> true;
    long start = System.nanoTime();
    assertThat(buffer.drain(Duration.ofMillis(200))).isEqualTo(25);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void record_keepsTheAddressCanonicalAndDropsWhatIsNotAnAddress() {
    buffer.record(buffer.peek("a000000000000000"), 5, " ::FFFF:192.0.2.1 ", "servlet");
    buffer.record(buffer.peek("b000000000000000"), 5, "2001:0DB8:0:0::7%eth0", null);
    buffer.record(buffer.peek("c000000000000000"), 5, "not-an-address", null);
    buffer.flush();
    assertThat(updates).extracting(UsageUpdate::tokenId, UsageUpdate::clientIp,
            UsageUpdate::integration)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("a000000000000000", "192.0.2.1", "servlet"),
            org.assertj.core.groups.Tuple.tuple("b000000000000000", "2001:db8::7", null),
            org.assertj.core.groups.Tuple.tuple("c000000000000000", null, null));
  }

  /**
   * The address is two longs written by whichever thread records a use: a flush running at the
   * same time must write one use's whole address, never the high half of one and the low half of
   * another, and must not lose the last use.
   */
  @Test
  void flush_whileThreadsRecord_writesWholeAddressesAndTheLastUse() throws Exception {
    String a = "2001:db8:1:1::1:1";
    String b = "2001:db8:2:2::2:2";
    UsageBuffer.Slot slot = buffer.peek("d000000000000000");
    java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1);
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      String ip = t % 2 == 0 ? a : b;
      Thread w = new Thread(() -> {
        while (!stop.get()) buffer.record(slot, clock.incrementAndGet(), ip, null);
      });
      w.start();
      writers.add(w);
    }
    long until = System.nanoTime() + Duration.ofMillis(300).toNanos();
    while (System.nanoTime() < until) buffer.flush();
    stop.set(true);
    for (Thread w : writers) w.join();
    buffer.flush();
    assertThat(updates).hasSizeGreaterThan(10)
        .allSatisfy(u -> assertThat(u.clientIp()).isIn(a, b));
    assertThat(updates.get(updates.size() - 1).usedAt().toEpochMilli())
        .as("the last use recorded is the last written").isEqualTo(slot.usedAt);
  }
}
