package io.latchkey.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.latchkey.CacheStats;
import io.latchkey.MetricsRecorder;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
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

  /**
   * Cache settings; a zero ttl turns the cache off (every validation reads the store). The cache
   * is bounded by the estimated bytes of its entries ({@code maximumBytes}); {@code maximumSize}
   * also caps the number of entries (Long.MAX_VALUE: no cap).
   */
  public record CacheSettings(long maximumSize, Duration ttl, long negativeMaximumSize,
      Duration negativeTtl, Duration serveStaleFor, long maximumBytes) {}

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
  /** The one instance of values many entries hold equal copies of (workspace, permissions...). */
  private final Shared shared = new Shared();
  private final Executor background;
  private final Executor invalidations;
  private final Rehasher rehasher;
  private final Ticker ticker;
  /** Checks keys of the configured legacy formats; null when none is configured. */
  private final @Nullable LegacyVerification legacy;
  private final @Nullable Cache<String, CompiledToken> cache;
  private final @Nullable Policy<String, CompiledToken> policy;
  private final @Nullable Cache<String, Boolean> unknown;
  /**
   * Ids whose last read failed, with the ticker time before which they are not read again: one
   * failed read answers every request waiting on it, and the next attempt waits {@link
   * #STORE_RETRY_NANOS}.
   */
  private final @Nullable Cache<String, Long> failedReads;
  /**
   * Bumped by every feed reset. An entry read before the last reset must be read again before it
   * is fresh, but stays servable (within the serve-stale rules) until a read succeeds.
   */
  private final AtomicInteger generation = new AtomicInteger();
  private final long ttlNanos;
  private final long staleNanos;
  /** {@code ttlNanos + staleNanos}, saturated: how long an entry may be served at all. */
  private final long servableNanos;
  /**
   * Lookup part of an upgraded legacy key (public, as the part is) → the id derived from it, for
   * entries cached with their verifier: the cached path of such a key needs neither the host's
   * format nor the SHA-256 of the part ({@link #validateLegacyCached}). The id is a function of the
   * part, so a mapping is never wrong, only useless once its entry is gone: the cache's removal
   * listener drops it then, so the index is no larger than the cache.
   */
  private final ConcurrentHashMap<String, String> legacyIndex = new ConcurrentHashMap<>();
  /** Per stripe of ids, bumped before every invalidation; see {@link #load}. */
  private final AtomicLongArray invalidationStamps = new AtomicLongArray(STRIPES);
  private final LongAdder lookups = new LongAdder();
  private final LongAdder loads = new LongAdder();
  /** The revocation watermarks applied when an entry is compiled; none until attached. */
  private volatile @Nullable Watermarks watermarks;
  /** Set when a store read failed as unavailable; cleared by the next successful read. */
  private volatile boolean storeDown;
  /** Told of evictions (size or expiry); set only when Latchkey has a metrics recorder. */
  private volatile MetricsRecorder evictions = MetricsRecorder.NONE;
  private volatile long retryStoreAtNanos;

  public DefaultTokenValidator(TokenFormat format, Hasher hasher, TokenStore store, Clock clock,
      TokenListener listener, UsageBuffer usage, Executor background, Executor invalidations,
      Rehasher rehasher, Ticker ticker, CacheSettings settings) {
    this(format, hasher, store, clock, listener, usage, background, invalidations, rehasher,
        ticker, settings, null);
  }

  /** As above, with imported legacy keys validated by {@code legacy}. */
  public DefaultTokenValidator(TokenFormat format, Hasher hasher, TokenStore store, Clock clock,
      TokenListener listener, UsageBuffer usage, Executor background, Executor invalidations,
      Rehasher rehasher, Ticker ticker, CacheSettings settings,
      @Nullable LegacyVerification legacy) {
    this.legacy = legacy;
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
      // Bounded by weight: an entry weighs its estimated bytes, and at least maximumBytes /
      // maximumSize, so the sum stays under maximumBytes and the count under maximumSize.
      long bytes = settings.maximumBytes();
      long size = settings.maximumSize();
      int floor = (int) Math.min(Integer.MAX_VALUE, size >= bytes ? 1 : (bytes + size - 1) / size);
      this.cache = Caffeine.newBuilder()
          .executor(Runnable::run)
          .removalListener((String id, CompiledToken entry, RemovalCause cause) -> {
            String part = entry == null ? null : entry.lookupPart;
            if (part != null) legacyIndex.remove(part, entry.id);
            if (cause.wasEvicted()) evicted(cause);
          })
          .maximumWeight(bytes)
          .weigher((String id, CompiledToken e) -> Math.max(floor, e.weight()))
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
      this.failedReads = Caffeine.newBuilder()
          .executor(Runnable::run)
          .maximumSize(settings.negativeMaximumSize())
          .expireAfterWrite(STORE_RETRY_NANOS, TimeUnit.NANOSECONDS)
          .ticker(ticker)
          .build();
    } else {
      this.cache = null;
      this.policy = null;
      this.unknown = null;
      this.failedReads = null;
    }
  }

  @Override
  public ValidationResult validate(@Nullable ValidationRequest request) {
    if (request == null) return reject(Reason.MALFORMED, null, null, null);
    String token = request.token();
    // The cached path: the token's checksum, its id looked up by a probe over the token's bytes
    // (no String made), and the entry's one-block verifier, all on one slot of the hasher's pool.
    // Anything else (a miss, a stale entry, no verifier yet) goes the whole way below.
    CompiledToken entry = null;
    boolean wellFormed;
    boolean matched = false;
    Hasher.Scratch s = hasher.acquire();
    try {
      wellFormed = format.isWellFormed(token, s.bytes, s.crc);
      if (wellFormed && policy != null) {
        int offset = format.idOffset();
        s.counted++; // a lookup, counted on the slot: no shared write (see stats())
        entry = cachedProbe(s.probe.bytes(s.bytes, offset, TokenFormat.ID_LENGTH));
        if (entry != null && entry.hasVerifier(CompiledToken.NATIVE) && isFresh(entry)) {
          hasher.verifier(s, offset);
          matched = entry.verifierMatches(CompiledToken.NATIVE, s.out);
        } else {
          entry = null;
        }
      }
    } finally {
      hasher.release(s);
    }
    if (entry != null) {
      if (!matched) return reject(Reason.UNKNOWN, entry.id, null, request);
      return acceptNative(entry, entry.id, request, token);
    }
    if (!wellFormed) {
      // Only a host that declared a legacy format sends keys not in Latchkey's format to a lookup.
      LegacyVerification l = legacy;
      if (l != null && token != null) return validateLegacy(l, request, token);
      return reject(Reason.MALFORMED, null, null, request);
    }

    String id = token.substring(format.idOffset(), format.idOffset() + TokenFormat.ID_LENGTH);
    try {
      entry = lookup(id, true, policy == null);
    } catch (StoreUnavailableException e) {
      return reject(Reason.UNAVAILABLE, id, null, request);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "store failed to find token " + id + ": " + e);
      return reject(Reason.UNAVAILABLE, id, null, request);
    }
    if (entry == CompiledToken.MALFORMED) return reject(Reason.MALFORMED, null, null, request);
    if (entry.isUnknown() || !secretMatches(entry, token)) {
      return reject(Reason.UNKNOWN, id, null, request);
    }
    return acceptNative(entry, id, request, token);
  }

  /** The checks after a native token's secret matched, and its re-hash if its key is retiring. */
  private ValidationResult acceptNative(CompiledToken entry, String id, ValidationRequest request,
      String token) {
    ValidationResult result = accept(entry, id, request);
    if (result == entry.valid && hasher.isRetiring(entry.keyIndex)
        && entry.startRehash()) {
      scheduleRehash(entry, hasher.hashPrimary(token, format.idOffset()));
    }
    return result;
  }

  /**
   * The cached entry for the id {@code probe} stands for, without touching the eviction policy, or
   * null. The probe is not a String: Caffeine's bounded cache hands a strong key straight to its
   * map's {@code get}, which hashes it and calls its {@code equals} with the stored key (see {@link
   * TextKey}).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private @Nullable CompiledToken cachedProbe(TextKey probe) {
    return (CompiledToken) ((Policy) policy).getIfPresentQuietly(probe);
  }

  /**
   * A key not in Latchkey's format: the first legacy format whose lookup part names a stored
   * record decides. An upgraded record holds the keyed hash of the whole key (one HMAC, as for a
   * native token); one still holding its legacy hash is checked by {@link LegacyVerification} and,
   * on success, upgraded through the rehash path, which never overwrites a concurrent change.
   */
  private ValidationResult validateLegacy(LegacyVerification l, ValidationRequest request,
      String token) {
    ValidationResult cached = validateLegacyCached(l, request, token);
    if (cached != null) return cached;
    boolean recognised = false;
    for (io.latchkey.LegacyFormat f : l.formats()) {
      String part = LegacyVerification.lookupPart(f, token);
      if (part == null) continue;
      recognised = true;
      String id = LegacyIds.idFor(part);
      CompiledToken entry;
      try {
        entry = lookup(id, false, true); // a derived id has no keyed tag to vet
      } catch (RuntimeException e) {
        return reject(Reason.UNAVAILABLE, id, null, request);
      }
      if (entry.isUnknown()) continue;
      LegacyHash legacyHash = entry.legacy;
      boolean upgrade = false;
      if (legacyHash == null) {
        if (!upgradedKeyMatches(entry, token)) return reject(Reason.UNKNOWN, id, null, request);
        if (cache != null && f instanceof LegacySplit) index(entry, part);
      } else {
        switch (l.verify(entry, legacyHash, token)) {
          case UNAVAILABLE:
            return reject(Reason.UNAVAILABLE, id, null, request);
          case INVALID:
            return reject(Reason.UNKNOWN, id, null, request);
          case VALID_FIRST:
            upgrade = true;
            break;
          default:
            break;
        }
      }
      ValidationResult result = accept(entry, id, request);
      if (result == entry.valid && (upgrade || (legacyHash == null && hasher.isRetiring(entry.keyIndex)))
          && entry.startRehash()) {
        scheduleRehash(entry, hasher.hashLegacy(0, token));
      }
      return result;
    }
    return reject(recognised ? Reason.UNKNOWN : Reason.MALFORMED, null, null, request);
  }

  /**
   * The cached path of an upgraded legacy key, as cheap as a native token's: the lookup part found
   * where it lies in the key ({@link LegacySplit}: no regular expression, no String made), {@link
   * #legacyIndex} from it to the id (no SHA-256 of the part), the cached entry, and its one-block
   * verifier of the whole key, computed afresh on every request. Only formats that can be split so
   * are tried, in the configured order, and only while no earlier format could claim the key: the
   * answer is then the one the whole way would give (the first format whose part names a record
   * decides). Null when this cannot decide (the whole way then runs).
   */
  private @Nullable ValidationResult validateLegacyCached(LegacyVerification l,
      ValidationRequest request, String token) {
    if (policy == null || legacyIndex.isEmpty()) return null;
    for (io.latchkey.LegacyFormat f : l.formats()) {
      if (!(f instanceof LegacySplit)) return null;
      long region = ((LegacySplit) f).region(token);
      if (region < 0) continue;
      int from = (int) (region >>> 32);
      int to = (int) region;
      CompiledToken entry;
      boolean matched;
      Hasher.Scratch s = hasher.acquire();
      try {
        String id = legacyIndex.get(s.probe.text(token, from, to - from));
        if (id == null) return null;
        entry = policy.getIfPresentQuietly(id);
        if (entry == null || !entry.hasVerifier(CompiledToken.LEGACY) || !isFresh(entry)) {
          return null;
        }
        hasher.legacyVerifier(s, token);
        matched = entry.verifierMatches(CompiledToken.LEGACY, s.out);
        s.counted++; // a lookup (see stats())
      } finally {
        hasher.release(s);
      }
      if (!matched) return reject(Reason.UNKNOWN, entry.id, null, request);
      ValidationResult result = accept(entry, entry.id, request);
      if (result == entry.valid && hasher.isRetiring(entry.keyIndex)
          && entry.startRehash()) {
        scheduleRehash(entry, hasher.hashLegacy(0, token));
      }
      return result;
    }
    return null;
  }

  /**
   * Whether {@code key} is the key of an upgraded legacy record: its verifier once set, else its
   * keyed hash (which then sets the verifier, when cached).
   */
  private boolean upgradedKeyMatches(CompiledToken entry, String key) {
    Hasher.Scratch s = hasher.acquire();
    try {
      if (entry.hasVerifier(CompiledToken.LEGACY)) {
        hasher.legacyVerifier(s, key);
        return entry.verifierMatches(CompiledToken.LEGACY, s.out);
      }
      if (!hasher.matchesLegacy(entry.keyIndex, entry.hash, key)) return false;
      if (cache != null) {
        hasher.legacyVerifier(s, key);
        entry.setVerifier(CompiledToken.LEGACY, s.out);
      }
      return true;
    } finally {
      hasher.release(s);
    }
  }

  /**
   * Lets later requests reach {@code entry} from its lookup part ({@link #validateLegacyCached}).
   * The index holds a part only while its entry is cached: the cache's removal listener drops it,
   * and if the entry left before the part was put, it is dropped here.
   */
  private void index(CompiledToken entry, String part) {
    entry.lookupPart = part;
    legacyIndex.put(part, entry.id);
    if (policy.getIfPresentQuietly(entry.id) != entry) legacyIndex.remove(part, entry.id);
  }

  /** How many lookup parts the legacy index holds (for tests). */
  int legacyIndexSize() {
    return legacyIndex.size();
  }

  /** The checks after the secret matched: state, expiry, workspace, address, permissions, usage. */
  private ValidationResult accept(CompiledToken entry, String id, ValidationRequest request) {
    long now = clock.millis();
    if (entry.state == StoredState.REVOKED) return reject(Reason.REVOKED, id, entry, request);
    if (now >= entry.expiresAtMillis) return reject(Reason.EXPIRED, id, entry, request);
    if (entry.state == StoredState.DISABLED) return reject(Reason.DISABLED, id, entry, request);

    String workspace = request.workspace();
    if (workspace != null && !workspace.equals(entry.workspace)) {
      return reject(Reason.WORKSPACE_MISMATCH, id, entry, request);
    }
    String ip = request.clientIp();
    if (!entry.allows(ip)) return reject(Reason.IP_NOT_ALLOWED, id, entry, request);
    for (String permission : request.required()) {
      if (permission == null || !entry.grants(permission)) {
        return reject(Reason.PERMISSION_DENIED, id, entry, request);
      }
    }

    UsageBuffer.Slot slot = entry.usage;
    if (slot != null && now > slot.usedAt // at most once per millisecond per token
        && request.recordUsage()) {
      usage.record(slot, now, ip, Checks.integrationOrNull(request.integration()));
      // Tell the eviction policy that this entry is in use, sampled (one millisecond in 16): its
      // frequency sketch needs relative popularity, not every read, and each recorded read costs
      // a reordering of the access deque and a sketch increment, cache misses with many tokens.
      Cache<String, CompiledToken> c = cache;
      if (c != null && (now & 15) == 0) c.getIfPresent(id);
    }
    return entry.valid;
  }

  /**
   * The constant-time secret check: the HMAC against the stored hash the first time, then the
   * entry's one-block verifier, which only a secret whose HMAC matched can have produced (a wrong
   * secret fails either way, as UNKNOWN; both answers cost the same one block once it is set).
   */
  private boolean secretMatches(CompiledToken entry, String token) {
    int offset = format.idOffset();
    Hasher.Scratch s = hasher.acquire();
    try {
      s.body(token, offset);
      if (entry.hasVerifier(CompiledToken.NATIVE)) {
        hasher.verifier(s, 0);
        return entry.verifierMatches(CompiledToken.NATIVE, s.out);
      }
      if (!hasher.matches(s, entry.keyIndex, entry.hash, 0)) return false;
      if (cache != null) {
        hasher.verifier(s, 0);
        entry.setVerifier(CompiledToken.NATIVE, s.out);
      }
      return true;
    } finally {
      hasher.release(s);
    }
  }

  /**
   * {@code vetting}: check a native id's tag before a store read (not for legacy ids); {@code
   * count}: count the lookup (the cached path counted it already).
   */
  private CompiledToken lookup(String id, boolean vetting, boolean count) {
    if (count) lookups.increment(); // striped: no cache line shared between validating threads
    Cache<String, CompiledToken> c = cache;
    if (c == null) {
      CompiledToken refused = vetting ? vet(id) : null;
      if (refused != null) return refused;
      loads.increment();
      Watermarks w = watermarks;
      if (w != null) w.ensureLoaded(); // unknown watermarks must not answer VALID
      Optional<TokenRecord> found = store.find(id);
      return found.isPresent() ? compile(found.get(), id, 0, false) : CompiledToken.UNKNOWN;
    }
    // Valid tokens are the common case: look at the records first, the unknown ids second. The
    // read is quiet: recording every read for the eviction policy (W-TinyLFU) costs a ring-buffer
    // write and, when drained, a 48-byte array per read in Caffeine's frequency sketch. validate()
    // records a sample of reads instead, with usage.
    CompiledToken entry = policy.getIfPresentQuietly(id);
    if (entry != null && isFresh(entry)) return entry;
    if (entry == null) {
      if (unknown.getIfPresent(id) != null) return CompiledToken.UNKNOWN;
      CompiledToken refused = vetting ? vet(id) : null;
      if (refused != null) return refused;
    }
    return load(c, id);
  }

  /**
   * The checks made before an id may cost a store read (a cached entry passed them when it was
   * loaded): version, issue time not far ahead, and the keyed tag, so a flood of forged well-formed
   * tokens never reaches the store. Null if the id may be looked up.
   */
  private @Nullable CompiledToken vet(String id) {
    switch (format.checkId(id, 0, clock.millis(), hasher)) {
      case TokenFormat.ID_OK:
        return null;
      case TokenFormat.ID_FOREIGN:
        return CompiledToken.UNKNOWN;
      default:
        return CompiledToken.MALFORMED;
    }
  }

  /**
   * Loads a missing or stale entry, once per id however many requests wait: the store is read
   * inside the cache's compute for that key.
   *
   * <p>An invalidation that arrives while the store is being read may be older than what the read
   * returned, or newer; we cannot tell. Caffeine's {@code invalidate(key)} waits for a compute of
   * that key, and a change notification must not (it may arrive on the store's I/O thread), so every
   * change bumps its id's stripe of {@link #invalidationStamps} at once, and a load that saw its
   * stripe move drops what it cached (the waiting requests still get the answer read, which was
   * current when they came). A feed reset instead bumps {@link #generation}, which the load read
   * before the store: what it cached counts as read before the reset.
   *
   * <p>A failed read is remembered for the id ({@link #failedReads}): the requests queued behind
   * it on the same key get UNAVAILABLE at once instead of each trying the store in turn, and the
   * next read of that id waits for the store-retry interval.
   */
  private CompiledToken load(Cache<String, CompiledToken> c, String id) {
    int stripe = id.hashCode() & (STRIPES - 1);
    long before = invalidationStamps.get(stripe);
    int generationBefore = generation.get();
    Watermarks w = watermarks;
    long[] watermarkStamp = {-1}; // set when this load reads the store
    CompiledToken loaded = c.asMap().compute(id, (key, old) -> {
      if (old != null && isFresh(old)) return old;
      if (old == null && unknown.getIfPresent(key) != null) return null;
      boolean servable = isServable(old);
      long now = ticker.read();
      if (servable && storeDown && now - retryStoreAtNanos < 0) {
        return old; // the store failed a moment ago: do not make every request wait for it again
      }
      Long retryAt = failedReads.getIfPresent(key);
      if (retryAt != null && now - retryAt < 0) {
        if (servable) return old;
        throw new StoreUnavailableException("a read of token " + key
            + " failed a moment ago; the store is tried again after the retry interval", null);
      }
      int readGeneration = generation.get();
      Optional<TokenRecord> found;
      loads.increment();
      try {
        if (w != null) {
          w.ensureLoaded(); // unknown watermarks must not answer VALID: fail as the store does
          watermarkStamp[0] = w.stamp(); // before compile reads them; compared below
        }
        found = store.find(key);
        storeDown = false;
      } catch (RuntimeException e) {
        long failedAt = ticker.read();
        failedReads.put(key, failedAt + STORE_RETRY_NANOS);
        if (e instanceof StoreUnavailableException) {
          retryStoreAtNanos = failedAt + STORE_RETRY_NANOS;
          storeDown = true;
        }
        if (servable) return old; // the host allowed serving this entry while the store is down
        throw e;
      }
      if (retryAt != null) failedReads.invalidate(key);
      if (found.isEmpty()) {
        unknown.put(key, Boolean.TRUE);
        return null;
      }
      return compile(found.get(), key, readGeneration, true);
    });
    if (invalidationStamps.get(stripe) != before
        || (w != null && loaded != null && watermarkStamp[0] >= 0
            && w.stamp() != watermarkStamp[0])) {
      // changed while loading, or a watermark arrived after compile looked (the sweep may have
      // missed this entry, not yet in the cache): drop it, the next request loads again
      if (loaded != null) {
        c.asMap().remove(id, loaded);
      } else {
        unknown.invalidate(id);
      }
    } else if (loaded == null && generation.get() != generationBefore) {
      unknown.invalidate(id); // read before a feed reset: the id may exist by now
    }
    return loaded == null ? CompiledToken.UNKNOWN : loaded;
  }

  /** A duration in nanoseconds; one too long for a long (about 292 years) is "for ever". */
  private static long saturatedNanos(Duration d) {
    return d.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toNanos();
  }

  /** Whether an entry may be used without asking the store. */
  private boolean isFresh(CompiledToken entry) {
    return !entry.changed && entry.generation == generation.get()
        && (staleNanos == 0 || ticker.read() - entry.loadedAtNanos <= ttlNanos);
  }

  /**
   * Whether an entry may answer when the store cannot: within its time-to-live plus {@code
   * serveStaleFor}, and not announced as changed (a feed reset does not count as a change).
   */
  private boolean isServable(@Nullable CompiledToken entry) {
    return entry != null && !entry.changed
        && ticker.read() - entry.loadedAtNanos <= servableNanos;
  }

  /**
   * A cached entry makes its own usage slot; one that is not cached records into the shared one.
   * {@code id}: the id looked up, which the cache keeps as the key; the entry uses that string.
   */
  private CompiledToken compile(TokenRecord r, String id, int readGeneration, boolean cached) {
    Watermarks w = watermarks;
    if (w != null && w.covers(r)) r = r.toBuilder().state(StoredState.REVOKED).build();
    LegacyVerification l = legacy;
    return new CompiledToken(r, Records.toCachedToken(r, id, TokenState.ACTIVE, shared),
        hasher.indexOf(r.keyId()),
        cached ? null : usage.peek(id), ticker.read(), readGeneration,
        l == null ? null : l.parse(r.keyId(), r.hash()));
  }

  private void scheduleRehash(CompiledToken entry, byte[] newHash) {
    try {
      background.execute(() -> {
        try {
          rehasher.rehash(entry.id, entry.hash, newHash);
        } catch (RuntimeException e) {
          entry.rehashFailed();
          LOG.log(System.Logger.Level.WARNING, "could not re-hash token " + entry.id + ": " + e);
        }
      });
    } catch (RuntimeException e) { // executor shut down
      entry.rehashFailed();
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

  /** Drops one id from the cache (and from the unknown ids). Blocks while that id is loading. */
  public void invalidate(String id) {
    if (cache != null) {
      invalidationStamps.incrementAndGet(id.hashCode() & (STRIPES - 1));
      cache.invalidate(id);
      unknown.invalidate(id);
      failedReads.invalidate(id); // the store just answered about it
    }
  }

  /**
   * Makes a change of one id take effect at once without blocking: the entry (if any) stops being
   * fresh or servable, a load in flight drops what it read, the id stops being known as unknown.
   * The entry itself is removed later by {@link #invalidate}.
   */
  private void markChanged(String id) {
    if (cache != null) {
      invalidationStamps.incrementAndGet(id.hashCode() & (STRIPES - 1));
      CompiledToken entry = policy.getIfPresentQuietly(id);
      if (entry != null) entry.changed = true;
      unknown.invalidate(id); // its own map, never held during a store read
    }
  }

  /**
   * A management call read {@code record}: if this instance cached another version of it (or
   * cached it as unknown), drop that, so what this instance validates is never older than what it
   * has seen.
   */
  public void observed(TokenRecord record) {
    if (cache != null) {
      CompiledToken entry = policy.getIfPresentQuietly(record.id());
      if ((entry != null && entry.version != record.version())
          || unknown.getIfPresent(record.id()) != null) {
        invalidate(record.id());
      }
    }
  }

  /** A management call found no record with this id: drop whatever this instance cached for it. */
  public void observedAbsent(String id) {
    if (cache != null && policy.getIfPresentQuietly(id) != null) invalidate(id);
  }

  /** Drops everything cached. */
  public void invalidateAll() {
    if (cache != null) {
      for (int i = 0; i < STRIPES; i++) invalidationStamps.incrementAndGet(i);
      cache.invalidateAll();
      unknown.invalidateAll();
      failedReads.invalidateAll();
    }
  }

  /** Lookups, store loads and cached entries since this validator was built. */
  public CacheStats stats() {
    // The cached path counts its lookups on the hasher's pool slots it holds (one Latchkey, one
    // hasher): no shared write per request.
    return new CacheStats(lookups.sum() + hasher.counted(), loads.sum(), cachedCount());
  }

  /**
   * Reports the cache's evictions (by size, by expiry) to the recorder from now on. Evictions
   * happen in the cache's maintenance, never on a cached validation.
   */
  public void reportEvictionsTo(MetricsRecorder recorder) {
    this.evictions = recorder;
  }

  private void evicted(RemovalCause cause) {
    MetricsRecorder r = evictions;
    if (r == MetricsRecorder.NONE) return;
    try {
      r.cacheEvicted(cause == RemovalCause.EXPIRED);
    } catch (RuntimeException ignored) {
      // a recorder's failure must not break the cache's maintenance
    }
  }

  /** How many usage slots are held beyond the cache: for the test that they follow the cache. */
  int usageSlots() {
    if (cache != null) cache.cleanUp(); // runs pending maintenance
    return usage.slotCount();
  }

  /** How many records are cached (for tests and metrics). */
  public long cachedCount() {
    return cache == null ? 0 : cache.estimatedSize();
  }

  /** The cached entry of an id, if any, without touching the eviction policy (for tests). */
  @Nullable CompiledToken cached(String id) {
    return policy == null ? null : policy.getIfPresentQuietly(id);
  }

  /** The estimated bytes the cached records take (for tests and metrics). */
  public long cachedBytes() {
    return policy == null ? 0 : policy.eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
  }

  /**
   * Feed notifications may arrive on the store's I/O thread. Removing the entry there could block
   * on a load of the same id that is waiting for that very thread (a cache compute holds the key
   * while it reads the store), so the notification only marks the entry changed, which takes
   * effect at once and takes no lock ({@link #markChanged}); the removal runs on a thread of its
   * own.
   */
  @Override
  public void tokenChanged(String tokenId) {
    markChanged(tokenId);
    onInvalidationThread(() -> invalidate(tokenId));
  }

  /**
   * Changes may have been missed: every cached entry must be read again before it is trusted, but
   * one the store cannot be asked about is still served as before the reset (within its
   * time-to-live plus {@code serveStaleFor}) rather than turned into UNAVAILABLE. Takes no lock.
   */
  @Override
  public void feedReset() {
    Watermarks w = watermarks;
    if (w != null) w.reset(); // a raise may have been missed too: read them again on next load
    if (cache != null) {
      generation.incrementAndGet();
      unknown.invalidateAll();
    }
  }

  /** Applies revocation watermarks from now on (Latchkey attaches them before first use). */
  public void attach(Watermarks watermarks) {
    this.watermarks = watermarks;
  }

  /**
   * A workspace's watermark was raised (here or through the feed): learned at once, and every
   * cached entry of that workspace is marked changed without a lock, so it is reloaded (and
   * compiled REVOKED if covered) before it answers again; removal follows on the invalidation
   * thread. A load racing this drops its entry (see {@link #load}). Not on the cached path.
   */
  @Override
  public void revocationWatermarkRaised(String workspace, java.time.Instant watermark) {
    Watermarks w = watermarks;
    if (w == null) return;
    boolean raised = w.learn(workspace, watermark);
    // One raise arrives twice, from this instance's revokeAll and through the feed, maybe on two
    // threads at once: the one that finds it known must not return while the other is still
    // sweeping (revokeAll would return with a covered token still cached as VALID), so it sweeps
    // too; marking an entry twice is harmless.
    if (cache == null || (!raised && !watermark.equals(w.of(workspace)))) return;
    java.util.List<String> swept = new java.util.ArrayList<>();
    for (CompiledToken entry : cache.asMap().values()) {
      if (entry.workspace.equals(workspace)) {
        invalidationStamps.incrementAndGet(entry.id.hashCode() & (STRIPES - 1));
        entry.changed = true;
        swept.add(entry.id);
      }
    }
    if (!swept.isEmpty()) {
      onInvalidationThread(() -> {
        for (String id : swept) invalidate(id);
      });
    }
  }

  private void onInvalidationThread(Runnable task) {
    try {
      invalidations.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // Latchkey is closing: nothing will read the cache again.
    }
  }
}
