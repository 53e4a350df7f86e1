package io.latchkey.internal;

import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Buffers the latest use of each token in memory and writes it in batches, so validation never
 * waits on a write. One slot per token, found once when the token is compiled into the cache;
 * recording a use writes a few fields at most once per millisecond and allocates nothing.
 */
public final class UsageBuffer {
  private static final System.Logger LOG = System.getLogger(UsageBuffer.class.getName());

  private final TokenStore store;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

  public UsageBuffer(TokenStore store) {
    this.store = store;
  }

  /** The slot of a token, created on first use. */
  public Slot slot(String tokenId) {
    return slots.computeIfAbsent(tokenId, Slot::new);
  }

  /** Drops a deleted token's slot. */
  public void forget(String tokenId) {
    slots.remove(tokenId);
  }

  /** Records one use; the latest time wins. */
  public static void record(Slot slot, long nowMillis, @Nullable String clientIp,
      @Nullable String integration) {
    long prev = slot.usedAt;
    if (nowMillis <= prev) return;
    if (!(boolean) Slot.USED_AT.compareAndSet(slot, prev, nowMillis)) return;
    slot.clientIp = clientIp;
    slot.integration = integration;
    if (!slot.dirty) slot.dirty = true;
  }

  /** How many tokens have unwritten usage. */
  public int pending() {
    int n = 0;
    for (Slot s : slots.values()) if (s.dirty) n++;
    return n;
  }

  /**
   * Writes all buffered usage in one batch. On failure the usage stays buffered for the next
   * flush.
   *
   * @return how many updates were written
   */
  public synchronized int flush() {
    try {
      return flushOrThrow();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING,
          "could not write usage of " + pending() + " tokens; will retry: " + e);
      return 0;
    }
  }

  /**
   * As {@link #flush()}, but a failure is thrown (the usage stays buffered) rather than logged:
   * for the last flush, after which nothing would retry it.
   */
  public synchronized int flushOrThrow() {
    List<Slot> taken = new ArrayList<>();
    List<UsageUpdate> batch = new ArrayList<>();
    for (Slot s : slots.values()) {
      if (s.dirty) {
        s.dirty = false; // a use recorded after this sets it again: nothing is lost
        long at = s.usedAt;
        taken.add(s);
        batch.add(new UsageUpdate(s.tokenId, Instant.ofEpochMilli(at), canonical(s.clientIp),
            s.integration));
      }
    }
    if (batch.isEmpty()) return 0;
    try {
      store.applyUsage(batch);
      return batch.size();
    } catch (RuntimeException e) {
      for (Slot s : taken) s.dirty = true;
      throw e;
    }
  }

  /**
   * The address as {@link UsageUpdate} promises it, canonical (so {@code ::FFFF:192.0.2.1} and
   * {@code 192.0.2.1} are one address). Done here, once per token per flush, rather than on the
   * validation path; null if it is not an address.
   */
  private static @Nullable String canonical(@Nullable String ip) {
    if (ip == null || !IpRanges.isAddress(ip)) return null;
    try {
      return IpRanges.canonicalize("clientIp", ip);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The buffered usage of one token. */
  public static final class Slot {
    static final VarHandle USED_AT;

    static {
      try {
        USED_AT = MethodHandles.lookup().findVarHandle(Slot.class, "usedAt", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final String tokenId;
    volatile long usedAt;
    volatile @Nullable String clientIp;
    volatile @Nullable String integration;
    volatile boolean dirty;

    Slot(String tokenId) {
      this.tokenId = Objects.requireNonNull(tokenId);
    }
  }
}
