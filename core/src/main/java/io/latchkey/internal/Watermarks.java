package io.latchkey.internal;

import io.latchkey.spi.RevocationWatermarks;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The revocation watermarks this instance knows (docs/architecture.md, "States"): per workspace,
 * records written before it are REVOKED whatever their stored state says. Known watermarks only
 * ever rise. The whole map is read from the store on first use, again after a feed reset, and for
 * a store without a change feed again once it is older than the cache's time-to-live; raises
 * arrive in between from this instance's {@code revokeAll} and through the change feed.
 *
 * <p>Nothing here runs on the cached validation path: the validator applies a watermark when it
 * compiles an entry from a record, and sweeps its entries of a workspace when a raise arrives.
 */
public final class Watermarks {
  private final TokenStore store;
  private final IdGenerator ids;
  private final LongSupplier nanos;
  private final boolean enabled;
  private final ConcurrentHashMap<String, Long> known = new ConcurrentHashMap<>();
  /** Bumped after every raise learned, after the map changed: see the validator's load. */
  private final AtomicLong stamp = new AtomicLong();
  /** Bumped by every reset; a read of the map that saw it move does not count as loaded. */
  private final AtomicLong resets = new AtomicLong();
  private volatile boolean loaded;
  private volatile long loadedAtNanos;
  /** How long a read map is trusted without a feed; Long.MAX_VALUE with one. */
  private volatile long maxAgeNanos = Long.MAX_VALUE;

  public Watermarks(TokenStore store, IdGenerator ids, LongSupplier nanos) {
    this.store = store;
    this.ids = ids;
    this.nanos = nanos;
    this.enabled = store.keepsRevocationWatermarks();
  }

  /** Whether the store keeps watermarks (otherwise revokeAll goes token by token). */
  public boolean enabled() {
    return enabled;
  }

  /**
   * Reads every watermark from the store unless that was done since the last reset (and, without
   * a feed, within the maximum age). Throws what the store throws: a caller that cannot know the
   * watermarks must not answer as if there were none.
   */
  public void ensureLoaded() {
    if (!enabled || (loaded && nanos.getAsLong() - loadedAtNanos <= maxAgeNanos)) return;
    synchronized (this) {
      long now = nanos.getAsLong();
      if (loaded && now - loadedAtNanos <= maxAgeNanos) return;
      long resetsBefore = resets.get();
      Map<String, Instant> all = store.revocationWatermarks();
      for (Map.Entry<String, Instant> e : all.entrySet()) learn(e.getKey(), e.getValue());
      loadedAtNanos = now;
      loaded = resets.get() == resetsBefore;
    }
  }

  /** Changes may have been missed (feed reset): the next use reads the map again. */
  public void reset() {
    resets.incrementAndGet();
    loaded = false;
  }

  /** Without a change feed, the map is read again once older than {@code nanos}. */
  public void maxAge(long nanos) {
    this.maxAgeNanos = nanos;
  }

  /**
   * Learns a watermark; true if it raised the known one. Ids minted from now on are not below it,
   * so a token this instance issues after it is never covered.
   */
  public boolean learn(String workspace, Instant watermark) {
    long w = watermark.toEpochMilli();
    boolean[] raised = new boolean[1];
    known.compute(workspace, (ws, old) -> {
      if (old != null && old >= w) return old;
      raised[0] = true;
      return w;
    });
    if (raised[0]) {
      ids.atLeast(w);
      stamp.incrementAndGet();
    }
    return raised[0];
  }

  /** Compared before and after a cache load: a raise in between makes the load drop its entry. */
  public long stamp() {
    return stamp.get();
  }

  /** Whether the known watermark of the record's workspace covers it. */
  public boolean covers(TokenRecord r) {
    if (!enabled) return false;
    Long w = known.get(r.workspace());
    return w != null && RevocationWatermarks.writtenAtMillis(r) < w;
  }

  /** The known watermark of a workspace, or null. */
  public @org.jspecify.annotations.Nullable Instant of(String workspace) {
    Long w = known.get(workspace);
    return w == null ? null : Instant.ofEpochMilli(w);
  }

  /** Every known watermark. */
  public Map<String, Instant> all() {
    Map<String, Instant> out = new java.util.HashMap<>();
    known.forEach((ws, w) -> out.put(ws, Instant.ofEpochMilli(w)));
    return out;
  }
}
