package io.latchkey.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.latchkey.Reason;
import io.latchkey.StoreUnavailableException;
import io.latchkey.TokenEvent;
import io.latchkey.TokenId;
import io.latchkey.TokenListener;
import io.latchkey.TokenState;
import io.latchkey.TokenValidator;
import io.latchkey.ValidationRequest;
import io.latchkey.ValidationResult;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * The validation pipeline (docs/architecture.md, "Validation pipeline") over a Caffeine cache of compiled records.
 *
 * <p>Cheapest check first: format and checksum (no I/O), id to record (cache, else one store
 * lookup per id however many requests wait: the load runs inside the cache's per-key compute),
 * constant-time hash compare, state and expiry, workspace, client address, permissions. Unknown
 * ids are cached too, briefly and in bounded number. The cached path takes no lock, does no I/O
 * and records usage into a per-token slot.
 */
public final class DefaultTokenValidator implements TokenValidator, ChangeListener {
  private static final System.Logger LOG = System.getLogger(DefaultTokenValidator.class.getName());
  /**
   * While the store is down and stale entries may be served, how long they are served without
   * asking the store again: one failed read per second, not one per request.
   */
  static final long STORE_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int STRIPES = 64;

  /** Cache settings; a zero ttl turns the cache off (every validation reads the store). */
  public record CacheSettings(long maximumSize, Duration ttl, long negativeMaximumSize,
      Duration negativeTtl, Duration serveStaleFor) {}

  /** Writes a record's new hash under the primary key, off the validation thread. */
  public interface Rehasher {
    /** Replaces the hash if the record still has {@code oldHash}; the key becomes the primary. */
    void rehash(String tokenId, byte[] oldHash, byte[] newHash);
  }

  private final TokenFormat format;
  private final Hasher hasher;
  private final TokenStore store;
  private final Clock clock;
  private final TokenListener listener;
  private final boolean listening;
  private final UsageBuffer usage;
  private final Executor background;
  private final Executor invalidations;
  private final Rehasher rehasher;
  private final Ticker ticker;
  private final @Nullable Cache<String, CompiledToken> cache;
  private final @Nullable Policy<String, CompiledToken> policy;
  private final @Nullable Cache<String, Boolean> unknown;
  private final long ttlNanos;
  private final long staleNanos;
  /** {@code ttlNanos + staleNanos}, saturated: how long an entry may be served at all. */
  private final long servableNanos;
  /** Per stripe of ids, bumped before every invalidation; see {@link #load}. */
  private final AtomicLongArray invalidationStamps = new AtomicLongArray(STRIPES);
  /** Set when a store read failed as unavailable; cleared by the next successful read. */
  private volatile boolean storeDown;
  private volatile long retryStoreAtNanos;

  public DefaultTokenValidator(TokenFormat format, Hasher hasher, TokenStore store, Clock clock,
      TokenListener listener, UsageBuffer usage, Executor background, Executor invalidations,
      Rehasher rehasher, Ticker ticker, CacheSettings settings) {
    this.format = format;
    this.hasher = hasher;
    this.store = store;
    this.clock = clock;
    this.listener = listener;
    this.listening = listener != TokenListener.NONE;
    this.usage = usage;
    this.background = background;
    this.invalidations = invalidations;
    this.rehasher = rehasher;
    this.ticker = ticker;
    this.ttlNanos = saturatedNanos(settings.ttl());
    this.staleNanos = saturatedNanos(settings.serveStaleFor());
    long sum = ttlNanos + staleNanos;
    this.servableNanos = sum < 0 ? Long.MAX_VALUE : sum;
    if (ttlNanos > 0) {
      // Maintenance runs on the calling thread: with reads kept out of the policy (see validate)
      // it is only the bookkeeping of loads, which handing to the common pool would cost a thread
      // wake-up each.
      // Every entry removed, whatever the cause (replaced by a reload included), gives back its
      // usage slot: a slot then lives only while cached or while it holds unwritten usage.
      this.cache = Caffeine.newBuilder()
          .executor(Runnable::run)
          .removalListener((String id, CompiledToken entry, RemovalCause cause) -> {
            if (entry != null && entry.usage != null) usage.release(entry.usage);
          })
          .maximumSize(settings.maximumSize())
          .expireAfterWrite(servableNanos, TimeUnit.NANOSECONDS)
          .ticker(ticker)
          .build();
      this.policy = cache.policy();
      this.unknown = Caffeine.newBuilder()
          .executor(Runnable::run)
          .maximumSize(settings.negativeMaximumSize())
          .expireAfterWrite(saturatedNanos(settings.negativeTtl()), TimeUnit.NANOSECONDS)
          .ticker(ticker)
          .build();
    } else {
      this.cache = null;
      this.policy = null;
      this.unknown = null;
    }
  }

  @Override
  public ValidationResult validate(@Nullable ValidationRequest request) {
    if (request == null) return reject(Reason.MALFORMED, null, null, null);
    String token = request.token();
    String id = format.extractId(token);
    if (id == null) return reject(Reason.MALFORMED, null, null, request);

    CompiledToken entry;
    try {
      entry = lookup(id);
    } catch (StoreUnavailableException e) {
      return reject(Reason.UNAVAILABLE, id, null, request);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "store failed to find token " + id + ": " + e);
      return reject(Reason.UNAVAILABLE, id, null, request);
    }
    if (entry.isUnknown()
        || !hasher.matches(entry.keyIndex, entry.hash, token, format.idOffset())) {
      return reject(Reason.UNKNOWN, id, null, request);
    }

    long now = clock.millis();
    if (entry.state == StoredState.REVOKED) return reject(Reason.REVOKED, id, entry, request);
    if (now >= entry.expiresAtMillis) return reject(Reason.EXPIRED, id, entry, request);
    if (entry.state == StoredState.DISABLED) return reject(Reason.DISABLED, id, entry, request);

    String workspace = request.workspace();
    if (workspace != null && !workspace.equals(entry.workspace)) {
      return reject(Reason.WORKSPACE_MISMATCH, id, entry, request);
    }
    String ip = request.clientIp();
    IpRanges ips = entry.ips;
    if (ips != null && !ips.matches(ip)) return reject(Reason.IP_NOT_ALLOWED, id, entry, request);
    for (String permission : request.required()) {
      if (permission == null || !entry.granted.contains(permission)) {
        return reject(Reason.PERMISSION_DENIED, id, entry, request);
      }
    }

    UsageBuffer.Slot slot = entry.usage;
    if (slot != null && now > slot.usedAt) { // at most once per millisecond per token
      usage.record(slot, now, ips != null || IpRanges.isAddress(ip) ? ip : null,
          Checks.integrationOrNull(request.integration()));
      // Tell the eviction policy that this entry is in use, sampled (one millisecond in 16): its
      // frequency sketch needs relative popularity, not every read, and each recorded read costs
      // a reordering of the access deque and a sketch increment, cache misses with many tokens.
      Cache<String, CompiledToken> c = cache;
      if (c != null && (now & 15) == 0) c.getIfPresent(id);
    }
    if (entry.keyIndex != 0 && entry.rehashing.compareAndSet(false, true)) {
      scheduleRehash(entry, token);
    }
    return entry.valid;
  }

  private CompiledToken lookup(String id) {
    Cache<String, CompiledToken> c = cache;
    if (c == null) {
      Optional<TokenRecord> found = store.find(id);
      return found.isPresent() ? compile(found.get(), false) : CompiledToken.UNKNOWN;
    }
    // Valid tokens are the common case: look at the records first, the unknown ids second. The
    // read is quiet: recording every read for the eviction policy (W-TinyLFU) costs a ring-buffer
    // write and, when drained, a 48-byte array per read in Caffeine's frequency sketch. validate()
    // records a sample of reads instead, with usage.
    CompiledToken entry = policy.getIfPresentQuietly(id);
    if (entry != null && isFresh(entry)) return entry;
    if (entry == null && unknown.getIfPresent(id) != null) return CompiledToken.UNKNOWN;
    return load(c, id);
  }

  /**
   * Loads a missing or stale entry, once per id however many requests wait: the store is read
   * inside the cache's compute for that key.
   *
   * <p>An invalidation that arrives while the store is being read may be older than what the read
   * returned, or newer; we cannot tell. Caffeine's {@code invalidate(key)} waits for a compute of
   * that key, but {@code invalidateAll()} (a feed reset) passes over a compute still in flight.
   * So every invalidation bumps its id's stripe of {@link #invalidationStamps}, and a load that saw
   * its stripe move drops what it cached (the waiting requests still get the answer read, which was current when they came).
   */
  private CompiledToken load(Cache<String, CompiledToken> c, String id) {
    int stripe = id.hashCode() & (STRIPES - 1);
    long before = invalidationStamps.get(stripe);
    CompiledToken loaded = c.asMap().compute(id, (key, old) -> {
      if (old != null && isFresh(old)) return old;
      if (old == null && unknown.getIfPresent(key) != null) return null;
      boolean servable = old != null && ticker.read() - old.loadedAtNanos <= servableNanos;
      if (servable && storeDown && ticker.read() - retryStoreAtNanos < 0) {
        return old; // the store failed a moment ago: do not make every request wait for it again
      }
      Optional<TokenRecord> found;
      try {
        found = store.find(key);
        storeDown = false;
      } catch (RuntimeException e) {
        if (e instanceof StoreUnavailableException) {
          retryStoreAtNanos = ticker.read() + STORE_RETRY_NANOS;
          storeDown = true;
        }
        if (servable) return old; // the host allowed serving this entry while the store is down
        throw e;
      }
      if (found.isEmpty()) {
        unknown.put(key, Boolean.TRUE);
        return null;
      }
      return compile(found.get(), true);
    });
    if (invalidationStamps.get(stripe) != before) {
      if (loaded != null) {
        c.asMap().remove(id, loaded);
      } else {
        unknown.invalidate(id);
      }
    }
    return loaded == null ? CompiledToken.UNKNOWN : loaded;
  }

  /** A duration in nanoseconds; one too long for a long (about 292 years) is "for ever". */
  private static long saturatedNanos(Duration d) {
    return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
  }

  private boolean isFresh(CompiledToken entry) {
    return staleNanos == 0 || ticker.read() - entry.loadedAtNanos <= ttlNanos;
  }

  /** A cached entry holds its usage slot until the cache removes it (see the removal listener). */
  private CompiledToken compile(TokenRecord r, boolean cached) {
    return new CompiledToken(r, Records.toToken(r, TokenState.ACTIVE), hasher.indexOf(r.keyId()),
        cached ? usage.acquire(r.id()) : usage.peek(r.id()), ticker.read());
  }

  private void scheduleRehash(CompiledToken entry, String token) {
    byte[] newHash = hasher.hashPrimary(token, format.idOffset());
    try {
      background.execute(() -> {
        try {
          rehasher.rehash(entry.id, entry.hash, newHash);
        } catch (RuntimeException e) {
          entry.rehashing.set(false);
          LOG.log(System.Logger.Level.WARNING, "could not re-hash token " + entry.id + ": " + e);
        }
      });
    } catch (RuntimeException e) { // executor shut down
      entry.rehashing.set(false);
    }
  }

  private ValidationResult reject(Reason reason, @Nullable String id,
      @Nullable CompiledToken entry, @Nullable ValidationRequest request) {
    if (listening) {
      TokenId tokenId = id == null ? null : new TokenId(id);
      String workspace = entry == null ? null : entry.workspace;
      String ip = request == null ? null : request.clientIp();
      String safeIp = IpRanges.isAddress(ip) ? ip : null;
      Records.emit(listener, new TokenEvent(TokenEvent.Type.VALIDATION_REJECTED,
          clock.instant(), "validator", tokenId, workspace, reason, safeIp,
          "rejected: " + reason));
    }
    return ValidationResult.rejected(reason);
  }

  /** Drops one id from the cache (and from the unknown ids). */
  public void invalidate(String id) {
    if (cache != null) {
      invalidationStamps.incrementAndGet(id.hashCode() & (STRIPES - 1));
      cache.invalidate(id);
      unknown.invalidate(id);
    }
  }

  /** Drops everything cached. */
  public void invalidateAll() {
    if (cache != null) {
      for (int i = 0; i < STRIPES; i++) invalidationStamps.incrementAndGet(i);
      cache.invalidateAll();
      unknown.invalidateAll();
    }
  }

  /** How many records are cached (for tests and metrics). */
  public long cachedCount() {
    return cache == null ? 0 : cache.estimatedSize();
  }

  /**
   * Feed notifications arrive on the store's I/O thread. Invalidating there could block on a load
   * of the same id that is waiting for that very thread (a cache compute holds the key while it
   * reads the store), so they are applied on a thread of their own; the result is the same, as an
   * invalidation queued behind a load removes what the load put.
   */
  @Override
  public void tokenChanged(String tokenId) {
    onInvalidationThread(() -> invalidate(tokenId));
  }

  @Override
  public void feedReset() {
    onInvalidationThread(this::invalidateAll);
  }

  private void onInvalidationThread(Runnable task) {
    try {
      invalidations.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // Latchkey is closing: nothing will read the cache again.
    }
  }
}
