package io.latchkey.internal;

import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Buffers the latest use of each token in memory and writes it in chunks, so validation never
 * waits on a write. Recording a use writes a few fields of the token's slot at most once per
 * millisecond and allocates nothing, except on the slot's first use after a flush, which queues it
 * for the next one.
 *
 * <p><b>Where a slot lives.</b> A cached entry has a slot of its own, made with it; an entry
 * reloaded after a change starts a new one, and until the old one is written both may be queued: a
 * flush writes the later use of the two. No map from ids to slots is kept for cached entries (it
 * cost a map node per entry and a map update per load). Validation without a cache records into one
 * shared slot per token ({@link #peek}), dropped once written, so it does not queue one per request.
 *
 * <p><b>Scale.</b> A flush walks only the queue of dirty slots, never every token seen: an idle
 * flush costs nothing. It writes {@link #CHUNK_SIZE} updates per store call; a failed chunk is
 * retried on its own with back-off, never together with chunks already written. When a chunk
 * still fails, or the flush's time budget is spent, the rest stays queued for the next flush.
 *
 * <p><b>Memory.</b> Beyond the cache, the buffer holds only slots with unwritten usage: the slot
 * of an entry evicted while dirty (not the entry) lives until it is written, so the buffer's size
 * follows the cache and the traffic of one flush interval, not every token ever validated.
 */
public final class UsageBuffer {
  private static final System.Logger LOG = System.getLogger(UsageBuffer.class.getName());
  /** Updates per store call: small enough for one store timeout, large enough to amortise it. */
  public static final int CHUNK_SIZE = 1_000;
  /** Tries per chunk within one flush. */
  static final int ATTEMPTS = 3;
  /** The wait before a chunk's second try; doubled before each later one. */
  static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

  private final TokenStore store;
  private final int chunkSize;
  private final long firstBackoffNanos;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Slot> dirty = new ConcurrentLinkedQueue<>();
  private final AtomicInteger dirtyCount = new AtomicInteger();
  /** When set by {@link #drain}, the moment every flush stops, even one already running. */
  private volatile long cutoffNanos;
  private volatile boolean cutoff;
  private volatile @Nullable RuntimeException lastFailure;

  public UsageBuffer(TokenStore store) {
    this(store, CHUNK_SIZE, FIRST_BACKOFF);
  }

  UsageBuffer(TokenStore store, int chunkSize, Duration firstBackoff) {
    this.store = store;
    this.chunkSize = chunkSize;
    this.firstBackoffNanos = firstBackoff.toNanos();
  }

  /** The shared slot of a token that no cache holds (validation without a cache). */
  public Slot peek(String tokenId) {
    return slots.computeIfAbsent(tokenId, id -> new Slot(id, true));
  }

  /** Drops a deleted token's shared slot (one queued still writes, and is ignored by the store). */
  public void forget(String tokenId) {
    slots.remove(tokenId);
  }

  /**
   * Records one use; the latest time wins. {@code clientIp} is kept only if it is an address, and
   * as two longs, not as the request's String: a reference stored into a slot that lives in the
   * old generation costs a GC write barrier (a card marked, later scanned by a refinement thread),
   * which over a million tokens on two busy cores cut two-thread throughput by a third
   * (benchmarks/README.md, "Two threads"). The integration, usually one constant, is stored only
   * when it is another object.
   */
  public void record(Slot slot, long nowMillis, @Nullable String clientIp,
      @Nullable String integration) {
    long prev = slot.usedAt;
    // Negative: another thread is writing this slot (below), for a use as recent as this one.
    if (nowMillis <= prev || prev < 0) return;
    // The compare-and-set makes this thread the slot's one writer until the release store below,
    // so a flush never reads half of one use's address and half of another's (Slot#snapshot).
    if (!(boolean) Slot.USED_AT.compareAndSet(slot, prev, -nowMillis)) return;
    long v4 = IpRanges.v4(clientIp); // one parse for the usual IPv4 client
    boolean v6 = v4 == IpRanges.V6_TEXT && IpRanges.isV6(clientIp);
    if (v4 >= 0) {
      slot.ipHigh = 0; // IPv4 mapped
      slot.ipLow = IpRanges.mappedLow(v4);
    } else if (v6) {
      slot.ipHigh = IpRanges.high(clientIp);
      slot.ipLow = IpRanges.low(clientIp);
    }
    slot.hasIp = v4 >= 0 || v6;
    if (slot.integration != integration) slot.integration = integration;
    Slot.USED_AT.setRelease(slot, nowMillis); // publishes the fields above
    if (slot.dirty || !(boolean) Slot.DIRTY.compareAndSet(slot, false, true)) return;
    if (!slot.shared) {
      enqueue(slot); // a cached entry's: queued until written, even if the entry is evicted
      return;
    }
    // A shared slot's first use since the last flush. The flush may have dropped it meanwhile: put
    // it back, or, if the token has a newer slot, record there, so that a token is written once.
    Slot home = slots.putIfAbsent(slot.tokenId, slot);
    if (home == null || home == slot) {
      enqueue(slot);
    } else {
      slot.dirty = false;
      record(home, nowMillis, clientIp, integration);
    }
  }

  private void enqueue(Slot slot) {
    dirtyCount.incrementAndGet();
    dirty.add(slot);
  }

  /** How many tokens have unwritten usage. */
  public int pending() {
    return dirtyCount.get();
  }

  /**
   * How many slots the buffer holds beyond the cache's entries: shared slots, and the queued slots
   * of entries (some of them still cached). For tests and the memory figures: it walks the queue.
   */
  public int slotCount() {
    int own = 0;
    for (Slot s : dirty) own += s.shared ? 0 : 1;
    return slots.size() + own;
  }

  /** {@link #flush(Duration)} with a budget of one minute. */
  public int flush() {
    return flush(Duration.ofMinutes(1));
  }

  /**
   * Writes buffered usage in chunks until the queue is empty, a chunk fails {@link #ATTEMPTS}
   * times, or {@code budget} is spent (a chunk already started finishes or fails within the
   * store's own timeout). What was not written stays buffered for the next flush.
   *
   * @return how many updates were written
   */
  public synchronized int flush(Duration budget) {
    long deadline = System.nanoTime() + Math.max(0, budget.toNanos());
    // Only what was dirty when the flush began: tokens used meanwhile wait for the next one, so a
    // busy host cannot keep one flush going for ever.
    int todo = dirtyCount.get();
    int written = 0;
    List<Slot> chunk = new ArrayList<>(Math.min(chunkSize, Math.max(todo, 1)));
    List<UsageUpdate> updates = new ArrayList<>(chunk.size());
    // A token's old and reloaded entries may both be queued: one update per token and store call,
    // the later use.
    Map<String, Integer> index = new HashMap<>();
    while (todo > 0 && System.nanoTime() - deadline < 0 && !pastCutoff()) {
      chunk.clear();
      updates.clear();
      index.clear();
      while (updates.size() < chunkSize && todo > 0) {
        Slot s = dirty.poll();
        if (s == null) break;
        todo--;
        dirtyCount.decrementAndGet();
        s.dirty = false; // a use recorded after this queues the slot again: nothing is lost
        UsageUpdate update = s.snapshot();
        if (update == null) {
          // A use is being written into it right now: queued again, behind the others.
          if ((boolean) Slot.DIRTY.compareAndSet(s, false, true)) enqueue(s);
          continue;
        }
        chunk.add(s);
        Integer at = index.putIfAbsent(update.tokenId(), updates.size());
        if (at == null) {
          updates.add(update);
        } else if (update.usedAt().isAfter(updates.get(at).usedAt())) {
          updates.set(at, update);
        }
      }
      if (chunk.isEmpty()) break;
      if (!write(updates, deadline)) {
        for (Slot s : chunk) {
          if (!s.dirty && (boolean) Slot.DIRTY.compareAndSet(s, false, true)) enqueue(s);
        }
        LOG.log(System.Logger.Level.WARNING, "could not write usage of " + updates.size()
            + " tokens (" + dirtyCount.get() + " pending); will retry on the next flush");
        return written;
      }
      written += updates.size();
      for (Slot s : chunk) {
        if (s.shared) dropIfUnused(s);
      }
    }
    return written;
  }

  /**
   * The last flush, on close: stops any flush still running at {@code deadline} and writes what
   * it can until then.
   *
   * @return how many tokens' usage could not be written ({@link #lastFailure} says why, if the
   *     store failed)
   */
  public int drain(Duration deadline) {
    cutoffNanos = System.nanoTime() + Math.max(0, deadline.toNanos());
    cutoff = true;
    flush(deadline);
    return pending();
  }

  /** The store's most recent failure to write a chunk, or null if it never failed. */
  public @Nullable RuntimeException lastFailure() {
    return lastFailure;
  }

  private boolean pastCutoff() {
    return cutoff && System.nanoTime() - cutoffNanos >= 0;
  }

  /** One chunk, tried up to {@link #ATTEMPTS} times with doubling waits while time is left. */
  private boolean write(List<UsageUpdate> updates, long deadline) {
    long backoff = firstBackoffNanos;
    for (int attempt = 1; ; attempt++) {
      try {
        store.applyUsage(updates);
        return true;
      } catch (RuntimeException e) {
        lastFailure = e;
        if (attempt == ATTEMPTS || System.nanoTime() + backoff - deadline >= 0 || pastCutoff()) {
          LOG.log(System.Logger.Level.DEBUG, "usage chunk failed: " + e);
          return false;
        }
      }
      try {
        TimeUnit.NANOSECONDS.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      backoff *= 2;
    }
  }

  private void dropIfUnused(Slot slot) {
    slots.computeIfPresent(slot.tokenId, (id, s) -> s == slot && !s.dirty ? null : s);
  }

  /** The buffered usage of one token: a cached entry's, or a token's shared slot ({@link #peek}). */
  public static final class Slot {
    static final VarHandle USED_AT;
    static final VarHandle DIRTY;

    static {
      try {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        USED_AT = lookup.findVarHandle(Slot.class, "usedAt", long.class);
        DIRTY = lookup.findVarHandle(Slot.class, "dirty", boolean.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final String tokenId;
    /** The latest use; negative while a use is being written (its time, negated). */
    volatile long usedAt;
    /** The latest use's address as IPv6 (IPv4 mapped), if {@link #hasIp}. */
    long ipHigh;
    long ipLow;
    boolean hasIp;
    @Nullable String integration;
    volatile boolean dirty;
    /** Whether this is a shared slot in the buffer's map, not a cached entry's own. */
    final boolean shared;

    Slot(String tokenId, boolean shared) {
      this.tokenId = Objects.requireNonNull(tokenId);
      this.shared = shared;
    }

    /**
     * The latest use as an update, its address canonical (so {@code ::FFFF:192.0.2.1} and {@code
     * 192.0.2.1} are one address); null if a use is being written and did not finish within a
     * short spin. A seqlock read: the time before and after the fields must be the same.
     */
    @Nullable UsageUpdate snapshot() {
      for (int spins = 0; spins < 10_000; spins++) {
        long at = (long) USED_AT.getAcquire(this);
        if (at >= 0) {
          boolean ip = hasIp;
          long high = ipHigh;
          long low = ipLow;
          String via = integration;
          VarHandle.loadLoadFence();
          if ((long) USED_AT.getAcquire(this) == at) {
            return new UsageUpdate(tokenId, Instant.ofEpochMilli(at),
                ip ? IpRanges.format(high, low, 128) : null, via);
          }
        }
        Thread.onSpinWait();
      }
      return null;
    }
  }
}
