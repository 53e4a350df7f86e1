package io.latchkey;

import com.github.benmanes.caffeine.cache.Ticker;
import io.latchkey.internal.DefaultTokenManager;
import io.latchkey.internal.DefaultLegacyKeys;
import io.latchkey.internal.DefaultTokenValidator;
import io.latchkey.internal.LegacyVerification;
import io.latchkey.internal.Hasher;
import io.latchkey.internal.IdGenerator;
import io.latchkey.internal.RevocationFixUp;
import io.latchkey.internal.Watermarks;
import io.latchkey.internal.Metered;
import io.latchkey.internal.TokenFormat;
import io.latchkey.internal.UsageBuffer;
import io.latchkey.spi.TokenStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The entry point: a configured token store with its {@link TokenManager} and its cached {@link
 * TokenValidator}. Build one per process and share it; it is thread-safe.
 *
 * <pre>{@code
 * Latchkey latchkey = Latchkey.builder()
 *     .store(new InMemoryTokenStore())
 *     .tokenPrefix("acme")
 *     .hashingKey(HashingKey.fromBase64("k1", System.getenv("LATCHKEY_KEY")))
 *     .build();
 * }</pre>
 *
 * <p>{@link Builder#build()} succeeds while the store is down: validation answers {@link
 * Reason#UNAVAILABLE} until the store can be read, the change feed is subscribed in the background
 * as soon as it can be, and {@link #health()} says whether the store and the feed are up.
 *
 * <p>{@link #close()} writes buffered usage (for at most {@link #CLOSE_USAGE_DEADLINE}) and stops
 * the background thread and the change-feed subscription. It does not close the store: the host
 * handed it in, the host closes it. Close the Latchkey before its store: usage that cannot be
 * written at close makes {@link #close()} throw.
 */
public final class Latchkey implements AutoCloseable {
  /** The default memory budget of the validator's cache: 64 MiB. */
  public static final long DEFAULT_CACHE_BYTES = 64L << 20;

  /** The default and maximum lifetime of a token: two years. */
  public static final Period DEFAULT_LIFETIME = Period.ofYears(2);
  /** How long {@link #close()} spends at most writing buffered usage: ten seconds. */
  public static final Duration CLOSE_USAGE_DEADLINE = Duration.ofSeconds(10);
  /** How long the audit trail keeps an entry unless {@link Builder#auditRetention} says otherwise. */
  public static final Duration DEFAULT_AUDIT_RETENTION = Duration.ofDays(400);
  private static final System.Logger LOG = System.getLogger(Latchkey.class.getName());

  private final TokenStore store;
  private final DefaultTokenManager manager;
  private final DefaultTokenValidator validator;
  /** The validator handed out: {@link #validator} itself, or a metered wrapper of it. */
  private final TokenValidator publicValidator;
  private final UsageBuffer usage;
  private final ScheduledExecutorService background;
  private final java.util.concurrent.ExecutorService invalidations;
  /** The first retry of a failed subscription, and the most the back-off grows to. */
  static final long FEED_RETRY_FIRST_MILLIS = 100;
  static final long FEED_RETRY_MAX_MILLIS = 5_000;

  private final Watermarks watermarks;
  private final RevocationFixUp fixUp;
  private final Duration cacheTtl;
  private final FeedListener feedListener;
  /** The validator, or its metered wrapper: where feed notifications go. */
  private final io.latchkey.spi.ChangeListener feedTarget;
  private final LegacyKeys legacyKeys;
  /** Runs slow legacy verifications; null when no legacy format is configured. */
  private final java.util.concurrent.@Nullable ThreadPoolExecutor legacyVerifiers;
  private final Object feedLock = new Object();
  private TokenStore.@Nullable Subscription subscription; // guarded by feedLock
  private volatile Health.Feed feed;
  private volatile boolean closed;

  private Latchkey(Builder b, TokenStore store, List<HashingKey> keys, int activeKeys) {
    this.store = store;
    Clock clock = b.clock == null ? Clock.systemUTC() : b.clock;
    TokenFormat format = new TokenFormat(b.tokenPrefix, b.acceptLegacyTokenIds);
    Hasher hasher = new Hasher(keys, activeKeys);
    MetricsRecorder metrics = b.metrics;
    boolean metered = metrics != MetricsRecorder.NONE;
    // Only with a recorder: the validator's reads and the usage writes go through a timing store.
    TokenStore readStore = metered ? Metered.store(store, metrics) : store;
    this.usage = new UsageBuffer(readStore);
    ScheduledThreadPoolExecutor background = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "latchkey-background");
      t.setDaemon(true);
      return t;
    });
    // A delayed task (the revocation fix-up's start pass, a retry) must not hold close() up:
    // dropped at shutdown, it runs again at the next start.
    background.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.background = background;
    this.invalidations = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "latchkey-invalidations");
      t.setDaemon(true);
      return t;
    });
    TokenListener listener = b.listeners.isEmpty() ? TokenListener.NONE
        : b.listeners.size() == 1 ? b.listeners.get(0)
        : composite(List.copyOf(b.listeners));
    SecureRandom random = new SecureRandom();
    // A test clock drives the cache's expiry too, so tests control time-to-live.
    Ticker ticker = b.clock == null ? Ticker.systemTicker()
        : () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    IdGenerator ids = new IdGenerator(random, hasher);
    this.watermarks = new Watermarks(store, ids, ticker::read);
    this.manager = new DefaultTokenManager(new DefaultTokenManager.Context(store, format, hasher,
        clock, listener, random, ids, b.defaultLifetime, b.maxLifetime,
        usage, IssuedToken::new, b.auditRetention, watermarks), "system");
    LegacyVerification legacy = null;
    if (b.legacyFormats.isEmpty()) {
      this.legacyVerifiers = null;
    } else {
      java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(
          b.legacyVerifierThreads, b.legacyVerifierThreads, 30, TimeUnit.SECONDS,
          new java.util.concurrent.ArrayBlockingQueue<>(64 * b.legacyVerifierThreads), r -> {
            Thread t = new Thread(r, "latchkey-legacy-verifier");
            t.setDaemon(true);
            return t;
          });
      pool.allowCoreThreadTimeOut(true);
      this.legacyVerifiers = pool;
      legacy = new LegacyVerification(b.legacyFormats, b.legacyLimits, hasher, pool,
          b.legacyNegativeCacheTtl, ticker);
    }
    this.validator = new DefaultTokenValidator(format, hasher, readStore, clock, listener, usage,
        background, invalidations, manager, ticker, new DefaultTokenValidator.CacheSettings(
            b.cacheMaximumSize, b.cacheTtl, b.negativeCacheMaximumSize, b.negativeCacheTtl,
            b.serveStaleFor, b.cacheMaximumBytes), legacy);
    manager.attach(validator);
    validator.attach(watermarks);
    this.fixUp = new RevocationFixUp(store, manager, watermarks, background);
    manager.attach(fixUp);
    this.cacheTtl = b.cacheTtl;
    this.publicValidator = metered
        ? Metered.validator(validator, metrics, b.metricsTimingPeriod) : validator;
    if (metered) validator.reportEvictionsTo(metrics);
    this.feedTarget = metered ? Metered.listener(validator, metrics) : validator;
    LegacyVerification counted = legacy;
    this.legacyKeys = new DefaultLegacyKeys(store, hasher, clock, listener, b.maxLifetime,
        b.legacyLimits, validator::invalidate, () -> counted == null ? 0 : counted.slowRuns(),
        ids::floor);
    this.feedListener = new FeedListener();
    this.feed = subscribe() ? feedStateAfterSubscribe() : Health.Feed.DOWN;
    if (feed == Health.Feed.DOWN) scheduleSubscribe(FEED_RETRY_FIRST_MILLIS);
    noFeedWatermarks();
    fixUp.startAll();
    // An interval too long for a long of milliseconds means "only on flushUsage() and close()".
    long flushMillis = b.usageFlushInterval.compareTo(Duration.ofMillis(Long.MAX_VALUE)) >= 0
        ? Long.MAX_VALUE : b.usageFlushInterval.toMillis();
    background.scheduleWithFixedDelay(usage::flush, flushMillis, flushMillis,
        TimeUnit.MILLISECONDS);
    if (metered) metrics.attached(this);
    background.scheduleWithFixedDelay(this::pruneAuditTrail, 1, 60, TimeUnit.MINUTES);
  }

  /**
   * Without a change feed nothing announces another process's revoke-all: the watermarks are
   * read again once older than the cache's time-to-live, the bound such a store already has.
   */
  private void noFeedWatermarks() {
    if (feed == Health.Feed.NONE) {
      long ttl = cacheTtl.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE
          : cacheTtl.toNanos();
      watermarks.maxAge(ttl);
    }
  }

  private void pruneAuditTrail() {
    try {
      manager.pruneAuditTrail();
    } catch (RuntimeException e) {
      // Reads hide entries past the retention anyway; the next run tries again.
      System.getLogger(Latchkey.class.getName()).log(System.Logger.Level.WARNING,
          "pruning the audit trail failed: " + e);
    }
  }

  /** Subscribes once; false if the store threw (it is down, or its feed is). */
  private boolean subscribe() {
    Optional<TokenStore.Subscription> s;
    try {
      s = store.subscribe(feedListener);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "could not subscribe to the store's change feed; "
          + "retrying in the background: " + e);
      return false;
    }
    synchronized (feedLock) {
      if (closed) {
        s.ifPresent(TokenStore.Subscription::close);
      } else {
        subscription = s.orElse(null);
      }
    }
    return true;
  }

  private Health.Feed feedStateAfterSubscribe() {
    synchronized (feedLock) {
      return subscription == null ? Health.Feed.NONE : Health.Feed.SUBSCRIBED;
    }
  }

  private void scheduleSubscribe(long delayMillis) {
    try {
      background.schedule(() -> {
        if (closed) return;
        if (subscribe()) {
          feed = feedStateAfterSubscribe();
          noFeedWatermarks();
          // Changes made while this instance was not subscribed were never announced to it.
          feedTarget.feedReset();
        } else {
          scheduleSubscribe(Math.min(delayMillis * 2, FEED_RETRY_MAX_MILLIS));
        }
      }, delayMillis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  /** Passes the feed to the validator and keeps its state for {@link #health()}. */
  private final class FeedListener implements io.latchkey.spi.ChangeListener {
    @Override
    public void tokenChanged(String tokenId) {
      feedTarget.tokenChanged(tokenId);
    }

    @Override
    public void tokenChanged(String tokenId, long committedAtMillis) {
      feedTarget.tokenChanged(tokenId, committedAtMillis);
    }

    @Override
    public void feedReset() {
      if (!closed) feed = Health.Feed.SUBSCRIBED;
      feedTarget.feedReset();
    }

    @Override
    public void revocationWatermarkRaised(String workspace, java.time.Instant watermark) {
      feedTarget.revocationWatermarkRaised(workspace, watermark);
    }

    @Override
    public void feedInterrupted() {
      if (!closed) feed = Health.Feed.DOWN;
    }
  }

  private static TokenListener composite(List<TokenListener> listeners) {
    return event -> {
      for (TokenListener l : listeners) io.latchkey.internal.Records.emit(l, event);
    };
  }

  /**
   * A builder; {@link Builder#store} and a hashing key are required.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The token manager, recording changes as made by {@code "system"}; see {@link TokenManager#as}.
   *
   * @return the manager, acting as the default actor until {@link TokenManager#as} names one
   */
  public TokenManager tokens() {
    return manager;
  }

  /**
   * Imports keys of the system a host is leaving, and counts those not yet upgraded.
   *
   * @return the legacy-key importer of this instance
   */
  public LegacyKeys legacyKeys() {
    return legacyKeys;
  }

  /**
   * The cached validator.
   *
   * @return the validator; thread-safe, shared by every caller
   */
  public TokenValidator validator() {
    return publicValidator;
  }

  /**
   * The store this instance runs on.
   *
   * @return the store this instance was built with (still owned by the host)
   */
  public TokenStore store() {
    return store;
  }

  /**
   * Whether the store delivers a change feed that this instance is subscribed to.
   *
   * @return true if the store has a change feed (whether or not it is connected now)
   */
  public boolean hasChangeFeed() {
    synchronized (feedLock) {
      return subscription != null;
    }
  }

  /**
   * Whether the store and the change feed are up: pings the store ({@link TokenStore#ping()}, one
   * cheap round trip bounded by the store's timeouts) and reports the feed's state. Never throws.
   *
   * @return whether the store and its change feed answer now
   */
  public Health health() {
    boolean reachable;
    try {
      store.ping();
      reachable = true;
    } catch (RuntimeException e) {
      reachable = false;
    }
    return new Health(reachable, feed);
  }

  /**
   * Writes buffered usage (last-used time, address, integration) now, in chunks of {@value
   * UsageBuffer#CHUNK_SIZE} tokens per store call, for at most a minute. A chunk the store fails
   * is retried alone, with back-off; if it still fails, it and the rest stay buffered for the next
   * flush. Chunks written are never sent again.
   *
   * @return how many tokens' usage was written
   */
  public int flushUsage() {
    return usage.flush();
  }

  /**
   * Lookups, store loads and cached entries of the validator's cache since this instance was
   * built; {@link CacheStats#hitRatio()} says whether the cache holds the tokens in use. Cheap:
   * two sums and an estimate, no lock.
   *
   * @return the cache's statistics so far
   */
  public CacheStats cacheStats() {
    return validator.stats();
  }

  /**
   * How many tokens the validator's cache holds now (an estimate), for metrics.
   *
   * @return how many records the validator holds now
   */
  public long cachedTokens() {
    return validator.cachedCount();
  }

  /** Drops every cached record, e.g. after the host changed the store behind Latchkey's back. */
  public void invalidateCache() {
    validator.invalidateAll();
  }

  /**
   * Stops the change feed and background work, then writes buffered usage for at most {@link
   * #CLOSE_USAGE_DEADLINE} (a scheduled flush still running counts against it), plus at most one
   * store call already under way. Idempotent.
   *
   * @throws StoreUnavailableException if buffered usage could not be written in that time (the
   *     store was closed first, is down, or is too slow): everything else is stopped, but those
   *     last-used times are lost, so this is loud rather than a warning; the message gives the
   *     number of tokens. Close the Latchkey before its store.
   */
  @Override
  public void close() {
    TokenStore.Subscription s;
    synchronized (feedLock) {
      if (closed) return;
      closed = true;
      s = subscription;
      subscription = null;
    }
    try {
      if (s != null) s.close();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "could not close the change-feed subscription: " + e);
    }
    invalidations.shutdown();
    if (legacyVerifiers != null) legacyVerifiers.shutdown();
    background.shutdown();
    // The drain's cut-off also stops a scheduled flush still running, after its current chunk.
    int left = usage.drain(CLOSE_USAGE_DEADLINE);
    try {
      background.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (left > 0) {
      RuntimeException cause = usage.lastFailure();
      throw new StoreUnavailableException("closed with the usage of " + left
          + " tokens unwritten, now lost: " + (cause == null
              ? "not written within " + CLOSE_USAGE_DEADLINE.toMillis() + " ms"
              : "the store failed (" + cause.getMessage() + ")")
          + "; close the Latchkey before the store it runs on", cause);
    }
  }

  /**
   * Configures a {@link Latchkey}. Each setting is checked as it is set, and a single-valued one
   * may be set only once; rules across settings are checked by {@link #build()}.
   */
  public static final class Builder {
    private @Nullable TokenStore store;
    private String tokenPrefix = "lk";
    private boolean prefixSet;
    private final List<HashingKey> keys = new ArrayList<>();
    private final Set<String> retiringKeyIds = new HashSet<>();
    private @Nullable String primaryKeyId;
    private boolean acceptLegacyTokenIds;
    private @Nullable Clock clock;
    private TemporalAmount defaultLifetime = DEFAULT_LIFETIME;
    private boolean defaultLifetimeSet;
    private TemporalAmount maxLifetime = DEFAULT_LIFETIME;
    private boolean maxLifetimeSet;
    private final List<TokenListener> listeners = new ArrayList<>();
    private long cacheMaximumSize = Long.MAX_VALUE;
    private long cacheMaximumBytes = DEFAULT_CACHE_BYTES;
    private Duration cacheTtl = Duration.ofSeconds(30);
    private long negativeCacheMaximumSize = 10_000;
    private Duration negativeCacheTtl = Duration.ofSeconds(5);
    private Duration serveStaleFor = Duration.ZERO;
    private Duration usageFlushInterval = Duration.ofSeconds(5);
    private MetricsRecorder metrics = MetricsRecorder.NONE;
    private int metricsTimingPeriod = 1;
    private Duration auditRetention = DEFAULT_AUDIT_RETENTION;
    private final List<LegacyFormat> legacyFormats = new ArrayList<>();
    private LegacyLimits legacyLimits = LegacyLimits.DEFAULT;
    private int legacyVerifierThreads = 2;
    private Duration legacyNegativeCacheTtl = Duration.ofSeconds(1);

    private final Set<String> setOnce = new HashSet<>();

    private Builder() {}

    /** Refuses a second call of a single-valued setting, as the class documentation promises. */
    private void once(String field, Object current) {
      if (!setOnce.add(field)) {
        throw new InvalidArgumentException(field, "was already set to " + current);
      }
    }

    /**
     * Required: where tokens live. Latchkey never closes it.
     *
     * @param store the store; the host keeps owning and closes it
     * @return this builder
     */
    public Builder store(TokenStore store) {
      if (store == null) throw new InvalidArgumentException("store", "must not be null");
      if (this.store != null) {
        throw new InvalidArgumentException("store", "was already set to " + this.store);
      }
      this.store = store;
      return this;
    }

    /**
     * The prefix of every token, so leaked tokens are recognisable: lowercase letters, digits and
     * {@code _}, starting with a letter, at most 32 characters. Default {@code lk}.
     *
     * @param prefix lowercase letters, digits and {@code _}, starting with a letter
     * @return this builder
     */
    public Builder tokenPrefix(String prefix) {
      if (prefixSet) {
        throw new InvalidArgumentException("tokenPrefix", "was already set to " + tokenPrefix);
      }
      if (!TokenFormat.isValidPrefix(prefix)) {
        throw new InvalidArgumentException("tokenPrefix", "must be 1 to "
            + TokenFormat.MAX_PREFIX_LENGTH
            + " lowercase letters, digits or _, start with a letter and not end with _");
      }
      this.tokenPrefix = prefix;
      this.prefixSet = true;
      return this;
    }

    /**
     * Adds an active hashing key. The first active key added is the primary (new tokens use it)
     * unless {@link #primaryHashingKey} names another. Tokens on any other active key (accepted)
     * validate and stay on it: re-hashing never moves a token between two keys in use, so
     * instances of a fleet that disagree on the primary during a rollout do not fight. See {@link
     * #retiringHashingKey} and the README's rotation section for the rollout.
     *
     * @throws InvalidArgumentException if the key is null or its id was already added
     * @param key a key with an id no other configured key has
     * @return this builder
     */
    public Builder hashingKey(HashingKey key) {
      addKey(key);
      return this;
    }

    /**
     * Adds a retiring hashing key: tokens on it still validate and are re-hashed with the primary
     * when used, once each. Mark a key retiring only when every instance has the new primary
     * (README, "Rotating the hashing key"). A retiring key also vouches for the tags of the ids
     * issued under it, so keep it configured while such tokens live.
     *
     * @throws InvalidArgumentException if the key is null or its id was already added
     * @param key a key being retired, with an id no other configured key has
     * @return this builder
     */
    public Builder retiringHashingKey(HashingKey key) {
      addKey(key);
      retiringKeyIds.add(key.id());
      return this;
    }

    private void addKey(@Nullable HashingKey key) {
      if (key == null) throw new InvalidArgumentException("hashingKey", "must not be null");
      for (HashingKey k : keys) {
        if (k.id().equals(key.id())) {
          throw new InvalidArgumentException("hashingKey", "id " + key.id() + " was already added");
        }
      }
      keys.add(key);
    }

    /**
     * Accepts ids made before ids carried a keyed tag (version 0), so tokens issued by an earlier
     * Latchkey keep validating. Off by default: such ids cannot be told from forged ones without a
     * store read, so accepting them lets a flood of forged tokens in that format reach the store.
     * Turn it on while old tokens are rotated out.
     *
     * @param accept true to accept ids issued before keyed id tags
     * @return this builder
     */
    public Builder acceptLegacyTokenIds(boolean accept) {
      once("acceptLegacyTokenIds", acceptLegacyTokenIds);
      this.acceptLegacyTokenIds = accept;
      return this;
    }

    /**
     * Adds a hashing key from its id and bytes (at least 32).
     *
     * @param id the key's id
     * @param key the key's bytes, at least {@value HashingKey#MIN_LENGTH_BYTES}
     * @return this builder
     */
    public Builder hashingKey(String id, byte[] key) {
      return hashingKey(HashingKey.of(id, key));
    }

    /**
     * Which added active key hashes new tokens.
     *
     * @param id the id of a configured key
     * @return this builder
     */
    public Builder primaryHashingKey(String id) {
      if (id == null) throw new InvalidArgumentException("primaryHashingKey", "must not be null");
      if (primaryKeyId != null) {
        throw new InvalidArgumentException("primaryHashingKey", "was already set to " + primaryKeyId);
      }
      this.primaryKeyId = id;
      return this;
    }

    /**
     * The clock for issue times, expiry and the cache; the system UTC clock by default.
     *
     * @param clock the clock for issue, expiry and usage times
     * @return this builder
     */
    public Builder clock(Clock clock) {
      if (clock == null) throw new InvalidArgumentException("clock", "must not be null");
      if (this.clock != null) throw new InvalidArgumentException("clock", "was already set");
      this.clock = clock;
      return this;
    }

    /**
     * The lifetime of a token that asks for none: two years by default.
     *
     * @param lifetime a positive period, at most the maximum lifetime
     * @return this builder
     */
    public Builder defaultLifetime(Period lifetime) {
      return defaultLifetime((TemporalAmount) lifetime);
    }

    /**
     * The same as {@link #defaultLifetime(Period)}, as a duration.
     *
     * @param lifetime a positive duration, at most the maximum lifetime
     * @return this builder
     */
    public Builder defaultLifetime(Duration lifetime) {
      return defaultLifetime((TemporalAmount) lifetime);
    }

    private Builder defaultLifetime(@Nullable TemporalAmount lifetime) {
      checkPositive("defaultLifetime", lifetime);
      if (defaultLifetimeSet) {
        throw new InvalidArgumentException("defaultLifetime", "was already set to " + defaultLifetime);
      }
      this.defaultLifetime = lifetime;
      this.defaultLifetimeSet = true;
      return this;
    }

    /**
     * The longest lifetime any token may ask for: two years by default.
     *
     * @param lifetime a positive period
     * @return this builder
     */
    public Builder maxLifetime(Period lifetime) {
      return maxLifetime((TemporalAmount) lifetime);
    }

    /**
     * The same as {@link #maxLifetime(Period)}, as a duration.
     *
     * @param lifetime a positive duration
     * @return this builder
     */
    public Builder maxLifetime(Duration lifetime) {
      return maxLifetime((TemporalAmount) lifetime);
    }

    private Builder maxLifetime(@Nullable TemporalAmount lifetime) {
      checkPositive("maxLifetime", lifetime);
      if (maxLifetimeSet) {
        throw new InvalidArgumentException("maxLifetime", "was already set to " + maxLifetime);
      }
      this.maxLifetime = lifetime;
      this.maxLifetimeSet = true;
      return this;
    }

    private static void checkPositive(String field, @Nullable TemporalAmount amount) {
      if (amount == null) throw new InvalidArgumentException(field, "must not be null");
      Instant epoch = Instant.EPOCH;
      Instant end;
      try {
        // Far enough ahead that any issue time plus this amount must still be representable.
        end = epoch.atZone(ZoneOffset.UTC).plusYears(1000).plus(amount).toInstant();
      } catch (java.time.DateTimeException | ArithmeticException e) {
        throw new InvalidArgumentException(field, "is too long: " + amount);
      }
      if (!end.isAfter(epoch.atZone(ZoneOffset.UTC).plusYears(1000).toInstant())) {
        throw new InvalidArgumentException(field, "must be positive, was " + amount);
      }
    }

    /**
     * Receives every change and rejection: the audit trail. May be called several times.
     *
     * @param listener called with every event; must be thread-safe and quick
     * @return this builder
     */
    public Builder listener(TokenListener listener) {
      if (listener == null) throw new InvalidArgumentException("listener", "must not be null");
      listeners.add(listener);
      return this;
    }

    /**
     * Accepts keys imported from another system ({@link #legacyKeys()}): a presented key not in
     * Latchkey's format is looked up by the lookup part this format finds in it. May be called
     * more than once; formats are tried in order. Without one, such keys are MALFORMED.
     *
     * @param format how to find the lookup part in a legacy key
     * @return this builder
     * @throws InvalidArgumentException if {@code format} is null
     */
    public Builder legacyFormat(LegacyFormat format) {
      if (format == null) throw new InvalidArgumentException("legacyFormat", "must not be null");
      legacyFormats.add(format);
      return this;
    }

    /**
     * Ceilings on imported hashes' cost parameters; {@link LegacyLimits#DEFAULT} by default.
     *
     * @param limits the ceilings an imported hash must respect
     * @return this builder
     * @throws InvalidArgumentException if {@code limits} is null or was already set
     */
    public Builder legacyLimits(LegacyLimits limits) {
      if (limits == null) throw new InvalidArgumentException("legacyLimits", "must not be null");
      once("legacyLimits", legacyLimits);
      this.legacyLimits = limits;
      return this;
    }

    /**
     * How many threads run slow legacy verifications (bcrypt, scrypt, Argon2, PBKDF2); 2 by
     * default.
     *
     * @param threads the number of verifier threads, 1 to 256
     * @return this builder
     * @throws InvalidArgumentException if {@code threads} is out of range or was already set
     */
    public Builder legacyVerifierThreads(int threads) {
      if (threads < 1 || threads > 256) {
        throw new InvalidArgumentException("legacyVerifierThreads", "must be between 1 and 256, was " + threads);
      }
      once("legacyVerifierThreads", legacyVerifierThreads);
      this.legacyVerifierThreads = threads;
      return this;
    }

    /**
     * After a wrong key for a not-yet-upgraded imported key, how long further keys for it are
     * refused without a slow verification; 1 s by default.
     *
     * @param ttl how long a wrong key is remembered, positive
     * @return this builder
     * @throws InvalidArgumentException if {@code ttl} is null, not positive, or was already set
     */
    public Builder legacyNegativeCacheTtl(Duration ttl) {
      if (ttl == null || ttl.isNegative() || ttl.isZero()) {
        throw new InvalidArgumentException("legacyNegativeCacheTtl", "must be positive");
      }
      once("legacyNegativeCacheTtl", legacyNegativeCacheTtl);
      this.legacyNegativeCacheTtl = ttl;
      return this;
    }

    /**
     * Caps how many records the validator caches, besides {@link #cacheMaximumBytes}; no cap by
     * default.
     *
     * @param size the most records cached, at least 0
     * @return this builder
     */
    public Builder cacheMaximumSize(long size) {
      if (size < 1) throw new InvalidArgumentException("cacheMaximumSize", "must be positive, was " + size);
      once("cacheMaximumSize", cacheMaximumSize);
      this.cacheMaximumSize = size;
      return this;
    }

    /**
     * How much memory the validator's cache may take, in bytes, estimated from each record's
     * content (a typical token takes well under 1 KiB, one with every field at its limit about 110
     * KiB); 64 MiB by default.
     *
     * @param bytes the most memory the cached records may weigh, at least 0
     * @return this builder
     */
    public Builder cacheMaximumBytes(long bytes) {
      if (bytes < 1) {
        throw new InvalidArgumentException("cacheMaximumBytes", "must be positive, was " + bytes);
      }
      once("cacheMaximumBytes", cacheMaximumBytes);
      this.cacheMaximumBytes = bytes;
      return this;
    }

    /**
     * How long a cached record is trusted when no change feed tells of a change; 30 s by default.
     * Zero turns the cache off: every validation reads the store.
     *
     * @param ttl how long a cached record is trusted, positive
     * @return this builder
     */
    public Builder cacheTtl(Duration ttl) {
      if (ttl == null || ttl.isNegative()) {
        throw new InvalidArgumentException("cacheTtl", "must not be null or negative");
      }
      once("cacheTtl", cacheTtl);
      this.cacheTtl = ttl;
      return this;
    }

    /**
     * How many unknown ids are remembered, and for how long (10,000 and 5 s by default).
     *
     * @param maximumSize the most unknown ids remembered, at least 0
     * @param ttl how long an unknown id is remembered, positive
     * @return this builder
     */
    public Builder negativeCache(long maximumSize, Duration ttl) {
      if (maximumSize < 1) {
        throw new InvalidArgumentException("negativeCache maximumSize", "must be positive, was " + maximumSize);
      }
      if (ttl == null || ttl.isNegative() || ttl.isZero()) {
        throw new InvalidArgumentException("negativeCache ttl", "must be positive");
      }
      once("negativeCache", negativeCacheMaximumSize + ", " + negativeCacheTtl);
      this.negativeCacheMaximumSize = maximumSize;
      this.negativeCacheTtl = ttl;
      return this;
    }

    /**
     * While the store cannot be reached, keep validating against cached records up to this long
     * past their time-to-live. Zero by default: validation fails closed with {@link
     * Reason#UNAVAILABLE}.
     *
     * @param staleness how long past its time-to-live a cached entry may answer while the store is down; zero or positive
     * @return this builder
     */
    public Builder serveStaleFor(Duration staleness) {
      if (staleness == null || staleness.isNegative()) {
        throw new InvalidArgumentException("serveStaleFor", "must not be null or negative");
      }
      once("serveStaleFor", serveStaleFor);
      this.serveStaleFor = staleness;
      return this;
    }

    /**
     * How long the audit trail keeps an entry, deleted tokens' included; 400 days by default.
     * Older entries are never returned, and are removed from the store about hourly.
     *
     * @param retention at least 1 day, at most 100 years
     * @return this builder
     */
    public Builder auditRetention(Duration retention) {
      if (retention == null || retention.compareTo(Duration.ofDays(1)) < 0) {
        throw new InvalidArgumentException("auditRetention", "must be at least 1 day");
      }
      if (retention.compareTo(Duration.ofDays(365L * 100)) > 0) {
        throw new InvalidArgumentException("auditRetention", "must be at most 100 years");
      }
      once("auditRetention", auditRetention);
      this.auditRetention = retention;
      return this;
    }

    /**
     * How often buffered usage is written to the store; 5 s by default.
     *
     * @param interval how often buffered usage is written, positive
     * @return this builder
     */
    public Builder usageFlushInterval(Duration interval) {
      if (interval == null || interval.compareTo(Duration.ofMillis(1)) < 0) {
        throw new InvalidArgumentException("usageFlushInterval", "must be at least 1 ms");
      }
      once("usageFlushInterval", usageFlushInterval);
      this.usageFlushInterval = interval;
      return this;
    }

    /**
     * Reports validations, cache loads and evictions, usage writes, feed resets and feed lag to a
     * recorder, e.g. the {@code latchkey-micrometer} module's {@code LatchkeyMetrics}. None by
     * default, and then nothing is measured or wrapped.
     *
     * @throws InvalidArgumentException naming {@code metrics} if the recorder's {@link
     *     MetricsRecorder#validationTimingPeriod()} is not a power of two from 1 to 1024
     * @param recorder receives timings and counts; must be thread-safe and quick
     * @return this builder
     */
    public Builder metrics(MetricsRecorder recorder) {
      if (recorder == null) throw new InvalidArgumentException("metrics", "must not be null");
      once("metrics", metrics);
      int period = recorder.validationTimingPeriod();
      if (period < 1 || period > 1024 || Integer.bitCount(period) != 1) {
        throw new InvalidArgumentException("metrics", "validationTimingPeriod() must be a power "
            + "of two from 1 to 1024, not " + period);
      }
      this.metrics = recorder;
      this.metricsTimingPeriod = period;
      return this;
    }

    /**
     * Builds the instance and subscribes to the store's change feed, if it has one. The store
     * being down does not fail the build: a subscription that throws is retried in the background
     * (100 ms, doubling up to 5 s between attempts); see {@link Latchkey#health()}.
     *
     * @throws InvalidArgumentException if the store or a hashing key is missing, or the default
     *     lifetime exceeds the maximum
     * @return a started instance; close it when done
     */
    public Latchkey build() {
      if (store == null) {
        throw new InvalidArgumentException("store",
            "must be set: pass a TokenStore, e.g. new InMemoryTokenStore()");
      }
      if (keys.isEmpty()) {
        throw new InvalidArgumentException("hashingKey", "must be set: add one with "
            + "hashingKey(HashingKey.fromBase64(\"k1\", System.getenv(\"LATCHKEY_HASHING_KEY\"))); "
            + "make one with HashingKey.generate(\"k1\").toBase64() or `latchkey keygen`");
      }
      // The primary first, then the other active keys, then the retiring ones (Hasher's order).
      List<HashingKey> ordered = new ArrayList<>();
      for (HashingKey k : keys) if (!retiringKeyIds.contains(k.id())) ordered.add(k);
      int activeKeys = ordered.size();
      if (activeKeys == 0) {
        throw new InvalidArgumentException("hashingKey",
            "must include an active key: every key added is retiring, so none can hash new tokens");
      }
      for (HashingKey k : keys) if (retiringKeyIds.contains(k.id())) ordered.add(k);
      if (primaryKeyId != null) {
        if (retiringKeyIds.contains(primaryKeyId)) {
          throw new InvalidArgumentException("primaryHashingKey",
              "names key " + primaryKeyId + ", which is retiring");
        }
        HashingKey primary = ordered.stream().filter(k -> k.id().equals(primaryKeyId)).findFirst()
            .orElseThrow(() -> new InvalidArgumentException("primaryHashingKey",
                "names key " + primaryKeyId + ", which was not added"));
        ordered.remove(primary);
        ordered.add(0, primary);
      }
      Instant epoch = Instant.EPOCH;
      if (epoch.atZone(ZoneOffset.UTC).plus(defaultLifetime).toInstant()
          .isAfter(epoch.atZone(ZoneOffset.UTC).plus(maxLifetime).toInstant())) {
        if (defaultLifetimeSet) {
          throw new InvalidArgumentException("defaultLifetime",
              defaultLifetime + " exceeds maxLifetime " + maxLifetime);
        }
        defaultLifetime = maxLifetime; // only a shorter maximum was set: it caps the default too
      }
      return new Latchkey(this, store, ordered, activeKeys);
    }
  }
}
