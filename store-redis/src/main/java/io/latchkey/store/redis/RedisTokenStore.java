package io.latchkey.store.redis;

import io.latchkey.AuditEntry;
import io.latchkey.InvalidArgumentException;
import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.ChangeMessages;
import io.latchkey.spi.RevocationWatermarks;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TokenStore} on Redis, standalone or Redis Cluster, through Lettuce.
 *
 * <pre>{@code
 * TokenStore store = RedisTokenStore.create("redis://localhost:6379");
 * TokenStore clustered = RedisTokenStore.builder()
 *     .clusterUri("redis://10.0.0.1:6379", "redis://10.0.0.2:6379")
 *     .keyPrefix("acme:latchkey:")
 *     .build();
 * }</pre>
 *
 * <p>A record is one Redis hash ({@code <prefix>t{<id>}}), so {@link #find} is one {@code
 * HGETALL}. Each workspace has an index in buckets sorted by id ({@code
 * <prefix>i:{<workspace>}:…}, see {@link RedisKeys}) for keyset listing and revoke-all. Insert, replace (compare-and-set on the version), delete and usage
 * updates are Lua scripts ({@code EVALSHA}, falling back to {@code EVAL} on {@code NOSCRIPT}); each
 * touches the keys of one cluster slot and publishes the changed id on {@code <prefix>changes},
 * which {@link #subscribe} listens to.
 *
 * <p><b>Two slots, one order.</b> A record and its workspace index live in different slots, so an
 * insert indexes the id first and writes the record second, and a delete removes the record first
 * and the index entry second. A crash between the two leaves at worst an index entry without a
 * record, which listing skips: never a record that validation finds but revoke-all cannot reach.
 *
 * <p><b>Revoke-all.</b> {@link #raiseRevocationWatermark} is one script in the workspace's slot
 * that raises the watermark, counts from the index (whose members carry a REVOKED flag, since a
 * record's state is in another slot on a Cluster; of the buckets a raise covers whole it reads
 * per-bucket counters that the index scripts keep, not their members), writes the workspace's entry and publishes
 * {@code !w <ms> <workspace>}; see store-redis/README.md, "Revoke-all", for when the count is
 * exact.
 *
 * <p><b>Retention.</b> Every record carries a Redis TTL: it disappears {@linkplain
 * Builder#retention(Duration) retention} (30 days by default) after it expires, or after it is
 * revoked. TTLs are relative to each write ({@code expiresAt - updatedAt + retention}), so the
 * host's clock and Redis's need not agree. Index entries of such records are swept when the
 * workspace is next listed or written to.
 *
 * <p><b>Ownership.</b> A store built from a URI owns its Lettuce client and shuts it down on
 * {@link #close()}; a store built from the host's client opens (and closes) only its own
 * connections; a store built from the host's connection never closes it.
 *
 * <p>Thread-safe. Every method throws {@link StoreUnavailableException} when Redis cannot be
 * reached or does not answer within the {@linkplain Builder#commandTimeout(Duration) command
 * timeout} (2 s by default).
 */
public final class RedisTokenStore implements TokenStore {
  static final String DEFAULT_KEY_PREFIX = "latchkey:";
  static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
  static final Duration DEFAULT_AUDIT_RETENTION = Duration.ofDays(400);
  static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
  /** How long an index entry outlives its record: covers clock skew between cluster nodes. */
  static final long INDEX_MARGIN_MILLIS = Duration.ofHours(1).toMillis();
  /** How many index buckets with due entries one list or index call sweeps at most. */
  static final int SWEEP_BUCKETS = 2;
  private static final long MAX_LIVE_MILLIS = Duration.ofDays(100 * 366).toMillis();
  private static final int MAX_LIST_BATCH = 1000;
  /** The most records one compare-and-set script of {@link #replaceEach} replaces. */
  static final int MAX_REPLACE_BATCH = 500;
  /**
   * The longest pause between two reconnect attempts of the clients the store creates; the first
   * comes after {@link #MIN_RECONNECT_DELAY}, each next one after twice as long. Lettuce's default
   * grows to 30 s, so a client could come back half a minute after Redis did.
   */
  static final Duration MAX_RECONNECT_DELAY = Duration.ofMillis(500);
  static final Duration MIN_RECONNECT_DELAY = Duration.ofMillis(10);
  /**
   * How long an idempotent read that failed on a dropped connection is tried again while the
   * client reconnects (never past its command timeout). Short: during an outage the connection
   * stays down and the read fails anyway.
   */
  private static final long RETRY_GRACE_NANOS = Duration.ofMillis(300).toNanos();
  private static final long RETRY_PAUSE_NANOS = Duration.ofMillis(5).toNanos();

  private final Connections connections;
  private final RedisKeys keys;
  private final long retentionMillis;
  private final long auditRetentionMillis;
  private final long timeoutNanos;
  private final @Nullable ChangeFeed feed;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object layoutLock = new Object();
  private volatile boolean layoutChecked;
  private volatile @Nullable String layoutRefusal;

  private RedisTokenStore(Connections connections, String keyPrefix, Duration retention,
      Duration auditRetention, Duration commandTimeout) {
    this.connections = connections;
    this.keys = new RedisKeys(keyPrefix);
    this.retentionMillis = retention.toMillis();
    this.auditRetentionMillis = auditRetention.toMillis();
    this.timeoutNanos = commandTimeout.toNanos();
    this.feed = connections.pubSub == null ? null
        : new ChangeFeed(keys.channel(), connections.pubSub, connections.ownsPubSub, timeoutNanos);
  }

  /**
   * Opens a store on a standalone Redis (or one behind Sentinel) with the default settings; the
   * store owns the client it creates.
   *
   * @param redisUri e.g. {@code redis://localhost:6379}, {@code rediss://user:pw@host:6380/2}
   * @throws InvalidArgumentException if the URI is malformed
   * @throws StoreUnavailableException if Redis answers the connection with an error (a wrong
   *     password); a Redis that cannot be reached yet does not fail it (see {@link Builder#build})
   * @return the open store; closing it shuts its client down
   */
  public static RedisTokenStore create(String redisUri) {
    return builder().uri(redisUri).build();
  }

  /**
   * Returns a builder: one way to reach Redis, then optional settings.
   *
   * @return a builder with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  // ------------------------------------------------------------------ TokenStore

  @Override
  public boolean insert(TokenRecord record) {
    return insert(record, null);
  }

  /** {@inheritDoc} The entry is written by the script that writes the record. */
  @Override
  public boolean insert(TokenRecord record, @Nullable AuditEntry audit) {
    Objects.requireNonNull(record, "record == null");
    open();
    String what = "insert of token " + record.id();
    reachable(keys.index(record.workspace()), what);
    reachable(keys.record(record.id()), what);
    // Index first: a crash before the record is written leaves an entry that listing skips.
    long expireAt = index(record, what);
    String pointer = auditPoint(audit, what);
    List<String> args = new ArrayList<>(40);
    args.add(Long.toString(expireAt));
    args.add(keys.channel());
    args.add(ChangeMessages.encode(record.id(), System.currentTimeMillis()));
    addAudit(args, audit);
    args.addAll(RecordCodec.allFields(record));
    Long inserted = await(Scripts.INSERT.<Long>run(commands(what), ScriptOutputType.INTEGER,
        new String[] {keys.record(record.id()), keys.trail(record.id())},
        args.toArray(String[]::new)), what);
    // A duplicate id from another workspace leaves our entry in this workspace's index: listing
    // skips it (the record belongs elsewhere) and the sweep drops it once its due time passes.
    // Removing it here could race with a delete and a re-insert of the same id.
    if (inserted != null && inserted == 1L) return true;
    unpointQuietly(audit, pointer);
    return false;
  }

  @Override
  public Optional<TokenRecord> find(String id) {
    Objects.requireNonNull(id, "id == null");
    open();
    String key = keys.record(id);
    String what = "find of token " + id;
    long deadline = System.nanoTime() + timeoutNanos;
    Map<String, String> hash = retryingRead(deadline, () -> {
      reachable(key, what);
      return Await.until(commands(what).hgetall(key), deadline, what);
    });
    return Optional.ofNullable(RecordCodec.decode(id, hash));
  }

  @Override
  public boolean replace(TokenRecord updated, long expectedVersion) {
    return replace(updated, expectedVersion, null);
  }

  /** {@inheritDoc} The entry is written by the compare-and-set script, only if it replaces. */
  @Override
  public boolean replace(TokenRecord updated, long expectedVersion, @Nullable AuditEntry audit) {
    Objects.requireNonNull(updated, "updated == null");
    open();
    String what = "replace of token " + updated.id();
    reachable(keys.index(updated.workspace()), what);
    reachable(keys.record(updated.id()), what);
    // Raises the index entry's due time before the record's TTL can grow.
    long expireAt = index(updated, what);
    String pointer = auditPoint(audit, what);
    List<String> args = new ArrayList<>(40);
    args.add(Long.toString(expectedVersion));
    args.add(Long.toString(expireAt));
    args.add(keys.channel());
    args.add(ChangeMessages.encode(updated.id(), System.currentTimeMillis()));
    addAudit(args, audit);
    args.addAll(RecordCodec.fields(updated));
    String previous = await(Scripts.REPLACE.<String>run(commands(what),
        ScriptOutputType.VALUE, new String[] {keys.record(updated.id()), keys.trail(updated.id())},
        args.toArray(String[]::new)), what);
    if (previous == null) {
      unpointQuietly(audit, pointer);
      return false;
    }
    int line = previous.indexOf('\n');
    boolean wasRevoked = StoredState.REVOKED.name().equals(previous.substring(0, line));
    String previousWorkspace = previous.substring(line + 1);
    if (!previousWorkspace.equals(updated.workspace())) {
      unindexQuietly(previousWorkspace, updated.id());
    } else if (wasRevoked != (updated.state() == StoredState.REVOKED)) {
      flagQuietly(updated);
    }
    return true;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The steps of {@link #replace(TokenRecord, long, AuditEntry)}, each for every element at
   * once and pipelined, so a chunk costs three round trips whatever its size: the index entries
   * (one script per workspace, in its slot) and the audit pointers; the compare-and-sets, one
   * script per 500 records on a standalone server and, on a Cluster, one
   * per slot that records share (each record has a slot of its own, by its id), with the entries
   * written by the script that replaces, the change feed published for each record replaced;
   * then the REVOKED flags of the index members whose state changed, the index entries of
   * records that changed workspace, and the pointers of entries not written (as replace does, a
   * failure of this last step is only logged).
   */
  @Override
  public boolean[] replaceEach(List<TokenRecord> updated, long[] expectedVersions,
      @Nullable List<AuditEntry> audits) {
    TokenStore.checkReplaceEach(updated, expectedVersions, audits);
    int size = updated.size();
    boolean[] written = new boolean[size];
    if (size == 0) return written;
    open();
    String what = "replace of " + size + " tokens";
    for (TokenRecord r : updated) {
      reachable(keys.index(r.workspace()), what);
      reachable(keys.record(r.id()), what);
    }
    // 1. Index entries first (their due times rise before any record's TTL can), per workspace;
    // the audit pointers with them.
    Map<String, List<Integer>> byWorkspace = new LinkedHashMap<>();
    for (int i = 0; i < size; i++) {
      byWorkspace.computeIfAbsent(updated.get(i).workspace(), w -> new ArrayList<>()).add(i);
    }
    List<CompletableFuture<List<Object>>> indexed = new ArrayList<>(byWorkspace.size());
    for (Map.Entry<String, List<Integer>> ws : byWorkspace.entrySet()) {
      List<String> args = new ArrayList<>(2 + 4 * ws.getValue().size());
      args.add(Integer.toString(SWEEP_BUCKETS));
      args.add(Long.toString(INDEX_MARGIN_MILLIS));
      for (int i : ws.getValue()) {
        TokenRecord r = updated.get(i);
        args.add(r.id());
        args.add(Long.toString(ttlMillis(r)));
        args.add(indexFlags(r));
        args.add(Long.toString(RevocationWatermarks.writtenAtMillis(r)));
      }
      indexed.add(Scripts.INDEX_EACH.run(commands(what), ScriptOutputType.MULTI,
          indexKeys(ws.getKey()), args.toArray(String[]::new)));
    }
    String[] pointers = new String[size];
    List<CompletableFuture<Long>> pointed = new ArrayList<>();
    if (audits != null) {
      for (int i = 0; i < size; i++) {
        AuditEntry audit = audits.get(i);
        pointers[i] = audit.id() + '\n' + audit.tokenId().value() + '\n'
            + audit.at().toEpochMilli();
        pointed.add(Scripts.AUDIT_POINT.run(commands(what), ScriptOutputType.INTEGER,
            new String[] {keys.workspaceTrail(audit.workspace())}, pointers[i],
            Long.toString(auditRetentionMillis),
            Long.toString(auditRetentionMillis + INDEX_MARGIN_MILLIS)));
      }
    }
    long deadline = System.nanoTime() + timeoutNanos;
    long[] expireAt = new long[size];
    int w = 0;
    for (List<Integer> members : byWorkspace.values()) {
      List<Object> expiries = Await.until(indexed.get(w++), deadline, what);
      for (int k = 0; k < members.size(); k++) {
        expireAt[members.get(k)] = (Long) expiries.get(k);
      }
    }
    for (CompletableFuture<Long> p : pointed) Await.until(p, deadline, what);

    // 2. The compare-and-sets: one script per batch of records that share a slot.
    List<List<Integer>> batches = replaceBatches(updated);
    List<CompletableFuture<List<Object>>> replaced = new ArrayList<>(batches.size());
    long now = System.currentTimeMillis();
    for (List<Integer> batch : batches) {
      String[] batchKeys = new String[2 * batch.size()];
      List<String> args = new ArrayList<>(batch.size() * 24);
      for (int k = 0; k < batch.size(); k++) {
        int i = batch.get(k);
        TokenRecord r = updated.get(i);
        batchKeys[2 * k] = keys.record(r.id());
        batchKeys[2 * k + 1] = keys.trail(r.id());
        List<String> fields = RecordCodec.fields(r);
        args.add(Integer.toString(6 + fields.size()));
        args.add(Long.toString(expectedVersions[i]));
        args.add(Long.toString(expireAt[i]));
        args.add(keys.channel());
        args.add(ChangeMessages.encode(r.id(), now));
        addAudit(args, audits == null ? null : audits.get(i));
        args.addAll(fields);
      }
      replaced.add(Scripts.REPLACE_EACH.run(commands(what), ScriptOutputType.MULTI, batchKeys,
          args.toArray(String[]::new)));
    }
    deadline = System.nanoTime() + timeoutNanos;
    String[] previous = new String[size];
    for (int b = 0; b < batches.size(); b++) {
      List<Object> results = Await.until(replaced.get(b), deadline, what);
      List<Integer> batch = batches.get(b);
      for (int k = 0; k < batch.size(); k++) previous[batch.get(k)] = (String) results.get(k);
    }

    // 3. Index flags, moves and pointers of entries not written: quietly, as replace does.
    List<CompletableFuture<?>> followUps = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      TokenRecord r = updated.get(i);
      String before = previous[i];
      if (before == null || before.isEmpty()) {
        if (pointers[i] != null) {
          followUps.add(commands(what).zrem(keys.workspaceTrail(audits.get(i).workspace()),
              pointers[i]).toCompletableFuture());
        }
        continue;
      }
      written[i] = true;
      int line = before.indexOf('\n');
      boolean wasRevoked = StoredState.REVOKED.name().equals(before.substring(0, line));
      String previousWorkspace = before.substring(line + 1);
      if (!previousWorkspace.equals(r.workspace())) {
        followUps.add(Scripts.UNINDEX.run(commands(what), ScriptOutputType.INTEGER,
            indexKeys(previousWorkspace), r.id()));
      } else if (wasRevoked != (r.state() == StoredState.REVOKED)) {
        followUps.add(Scripts.FLAG.run(commands(what), ScriptOutputType.INTEGER,
            indexKeys(r.workspace()), r.id(), r.state() == StoredState.REVOKED ? "1" : "0"));
      }
    }
    deadline = System.nanoTime() + timeoutNanos;
    for (CompletableFuture<?> f : followUps) {
      try {
        Await.until(f, deadline, what);
      } catch (StoreUnavailableException e) {
        System.getLogger(RedisTokenStore.class.getName()).log(System.Logger.Level.DEBUG,
            "index flag, entry or audit pointer left for the sweep: " + e.getMessage());
      }
    }
    return written;
  }

  /**
   * The elements of a {@link #replaceEach} grouped for one script each: at most {@value
   * #MAX_REPLACE_BATCH}, and on a Cluster only records whose keys share a slot.
   */
  private List<List<Integer>> replaceBatches(List<TokenRecord> updated) {
    Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
    boolean cluster = "cluster".equals(connections.mode);
    for (int i = 0; i < updated.size(); i++) {
      int slot = cluster ? SlotHash.getSlot(keys.record(updated.get(i).id())) : 0;
      bySlot.computeIfAbsent(slot, x -> new ArrayList<>()).add(i);
    }
    List<List<Integer>> batches = new ArrayList<>();
    for (List<Integer> group : bySlot.values()) {
      for (int from = 0; from < group.size(); from += MAX_REPLACE_BATCH) {
        batches.add(group.subList(from, Math.min(group.size(), from + MAX_REPLACE_BATCH)));
      }
    }
    return batches;
  }

  @Override
  public boolean delete(String id) {
    return delete(id, null);
  }

  /** {@inheritDoc} The entry is written by the script that deletes the record. */
  @Override
  public boolean delete(String id, @Nullable AuditEntry audit) {
    Objects.requireNonNull(id, "id == null");
    open();
    String what = "delete of token " + id;
    reachable(keys.record(id), what);
    String pointer = auditPoint(audit, what);
    List<String> args = new ArrayList<>(4);
    args.add(keys.channel());
    args.add(ChangeMessages.encode(id, System.currentTimeMillis()));
    addAudit(args, audit);
    // Record first: a crash before the index entry goes leaves an entry that listing skips.
    String workspace = await(Scripts.DELETE.<String>run(commands(what), ScriptOutputType.VALUE,
        new String[] {keys.record(id), keys.trail(id)}, args.toArray(String[]::new)), what);
    if (workspace == null) {
      unpointQuietly(audit, pointer);
      return false;
    }
    unindexQuietly(workspace, id);
    return true;
  }

  @Override
  public boolean keepsAuditTrail() {
    return true;
  }

  @Override
  public List<AuditEntry> history(String tokenId, @Nullable String beforeId, int limit) {
    Objects.requireNonNull(tokenId, "tokenId == null");
    if (limit < 1) throw new IllegalArgumentException("limit < 1");
    open();
    String what = "history of token " + tokenId;
    List<String> members = await(trailPage(tokenId, beforeId, limit, what), what);
    List<AuditEntry> page = new ArrayList<>(members.size());
    for (String m : members) page.add(AuditCodec.decode(m));
    return page;
  }

  /**
   * Reads the workspace's audit pointers newest first ({@code ZREVRANGEBYLEX}), then the entries
   * they point to in their tokens' trails, pipelined: a page costs O(log n + limit), whatever
   * the number of tokens. An entry is stored only in its token's trail, by the script that makes
   * the change (so it exists if and only if the change happened, on a Cluster too); its pointer is
   * written before that script runs, in the workspace's slot. A pointer whose entry does not exist
   * (the change failed, or has not run yet) is skipped, as listing skips an index entry without a
   * record; a failed change removes its pointer as it returns.
   */
  @Override
  public List<AuditEntry> workspaceHistory(String workspace, @Nullable String beforeId,
      int limit) {
    Objects.requireNonNull(workspace, "workspace == null");
    if (limit < 1) throw new IllegalArgumentException("limit < 1");
    open();
    String what = "history of workspace " + workspace;
    String key = keys.workspaceTrail(workspace);
    List<AuditEntry> page = new ArrayList<>(Math.min(limit, 256));
    String cursor = beforeId;
    while (page.size() < limit) {
      int batch = Math.min(limit - page.size(), MAX_LIST_BATCH);
      List<String> pointers = await(commands(what).zrevrangebylex(key,
          cursor == null ? Range.unbounded() : Range.from(Range.Boundary.unbounded(),
              Range.Boundary.excluding(cursor)), Limit.create(0, batch)), what);
      if (pointers.isEmpty()) break;
      List<CompletableFuture<List<String>>> reads = new ArrayList<>(pointers.size());
      for (String p : pointers) {
        String[] f = p.split("\n", -1);
        String entryId = f[0];
        String tokenId = f.length > 1 ? f[1] : "";
        // A REVOKED_ALL entry lives in the workspace's slot, written with the raise.
        String trail = RevocationWatermarks.WORKSPACE_ENTRY_TOKEN_ID.equals(tokenId)
            ? keys.workspaceEntries(workspace) : keys.trail(tokenId);
        reads.add(commands(what).zrangebylex(trail,
            Range.from(Range.Boundary.including(entryId + "\n"),
                Range.Boundary.excluding(entryId + "\u000b")),
            Limit.create(0, 1)).toCompletableFuture());
      }
      long deadline = System.nanoTime() + timeoutNanos;
      for (CompletableFuture<List<String>> read : reads) {
        List<String> found = Await.until(read, deadline, what);
        if (found.isEmpty()) continue;
        AuditEntry e = AuditCodec.decode(found.get(0));
        if (e.workspace().equals(workspace)) page.add(e);
      }
      if (pointers.size() < batch) break;
      String last = pointers.get(pointers.size() - 1);
      cursor = last.substring(0, Math.max(0, last.indexOf('\n')));
    }
    return page;
  }

  /** Entries older than the cutoff are hidden by core; each trail expires as a whole. */
  @Override
  public void pruneAuditTrail(java.time.Instant cutoff) {
    Objects.requireNonNull(cutoff, "cutoff == null");
  }

  private CompletableFuture<List<String>> trailPage(String tokenId, @Nullable String beforeId,
      int limit, String what) {
    return commands(what).zrevrangebylex(keys.trail(tokenId),
        beforeId == null ? Range.unbounded() : Range.from(
            Range.Boundary.unbounded(), Range.Boundary.excluding(beforeId)),
        Limit.create(0, limit)).toCompletableFuture();
  }

  /** Writes the workspace's pointer to the entry; returns it (null without an entry). */
  private @Nullable String auditPoint(@Nullable AuditEntry audit, String what) {
    if (audit == null) return null;
    String pointer = audit.id() + '\n' + audit.tokenId().value() + '\n'
        + audit.at().toEpochMilli();
    await(Scripts.AUDIT_POINT.<Long>run(commands(what), ScriptOutputType.INTEGER,
        new String[] {keys.workspaceTrail(audit.workspace())}, pointer,
        Long.toString(auditRetentionMillis),
        Long.toString(auditRetentionMillis + INDEX_MARGIN_MILLIS)), what);
    return pointer;
  }

  /**
   * Removes the pointer of a change that did not happen. Best effort: a pointer left behind is
   * skipped by readers (its entry does not exist) and pruned with the retention.
   */
  private void unpointQuietly(@Nullable AuditEntry audit, @Nullable String pointer) {
    if (audit == null || pointer == null) return;
    String what = "audit pointer of token " + audit.tokenId().value();
    try {
      await(commands(what).zrem(keys.workspaceTrail(audit.workspace()), pointer), what);
    } catch (StoreUnavailableException e) {
      System.getLogger(RedisTokenStore.class.getName()).log(System.Logger.Level.DEBUG,
          "audit pointer left for the retention: " + e.getMessage());
    }
  }

  private void addAudit(List<String> args, @Nullable AuditEntry audit) {
    args.add(audit == null ? "" : AuditCodec.encode(audit));
    args.add(Long.toString(auditRetentionMillis));
  }

  @Override
  public boolean keepsRevocationWatermarks() {
    return true;
  }

  @Override
  public int raiseRevocationWatermark(String workspace, java.time.Instant watermark) {
    return raise(workspace, watermark, null);
  }

  /** {@inheritDoc} The entry and its pointer are written by the script that raises. */
  @Override
  public int raiseRevocationWatermark(String workspace, java.time.Instant watermark,
      AuditEntry audit) {
    Objects.requireNonNull(audit, "audit == null");
    return raise(workspace, watermark, audit);
  }

  /**
   * Two steps: the workspace joins the registry ({@code watermarked}, its own slot), then one
   * script in the workspace's slot raises the watermark, counts, writes the entry and its pointer,
   * and publishes {@code !w <ms> <workspace>}. A crash between them leaves a workspace in the
   * registry without a raise, which {@link #revocationWatermarks()} skips; never a watermark
   * missing from it.
   */
  private int raise(String workspace, java.time.Instant watermark, @Nullable AuditEntry audit) {
    Objects.requireNonNull(workspace, "workspace == null");
    Objects.requireNonNull(watermark, "watermark == null");
    open();
    String what = "revocation watermark of workspace " + workspace;
    reachable(keys.watermarked(), what);
    reachable(keys.index(workspace), what);
    await(commands(what).sadd(keys.watermarked(), workspace), what);
    String entryHead = "";
    String detail = "";
    String pointer = "";
    if (audit != null) {
      // The detail is the last field: the script replaces {count} in it alone.
      entryHead = AuditCodec.encode(new AuditEntry(audit.id(), audit.at(), audit.actor(),
          audit.workspace(), audit.tokenId(), audit.action(), ""));
      detail = AuditCodec.encode(audit).substring(entryHead.length());
      pointer = audit.id() + '\n' + audit.tokenId().value() + '\n' + audit.at().toEpochMilli();
    }
    String[] raiseKeys = {keys.index(workspace), keys.due(workspace), keys.writtenAt(workspace),
        keys.watermark(workspace), keys.workspaceTrail(workspace),
        keys.workspaceEntries(workspace), keys.counters(workspace)};
    Long count = await(Scripts.RAISE.<Long>run(commands(what), ScriptOutputType.INTEGER,
        raiseKeys, Long.toString(watermark.toEpochMilli()), keys.channel(), entryHead, detail,
        pointer, Long.toString(auditRetentionMillis),
        Long.toString(auditRetentionMillis + INDEX_MARGIN_MILLIS), workspace), what);
    return count == null || count < 0 ? 0 : (int) Math.min(Integer.MAX_VALUE, count);
  }

  @Override
  public Optional<java.time.Instant> revocationWatermark(String workspace) {
    Objects.requireNonNull(workspace, "workspace == null");
    open();
    String what = "revocation watermark of workspace " + workspace;
    String key = keys.watermark(workspace);
    long deadline = System.nanoTime() + timeoutNanos;
    String ms = retryingRead(deadline, () -> {
      reachable(key, what);
      return Await.until(commands(what).get(key), deadline, what);
    });
    return Optional.ofNullable(ms).map(RedisTokenStore::watermarkOf);
  }

  /**
   * The registry's workspaces, then their watermarks in one pipeline (in a cluster, on their
   * nodes). A workspace without one (its raise failed, crashed or is under way) is left out.
   */
  @Override
  public Map<String, java.time.Instant> revocationWatermarks() {
    open();
    String what = "revocation watermarks";
    long deadline = System.nanoTime() + timeoutNanos;
    return retryingRead(deadline, () -> {
      reachable(keys.watermarked(), what);
      List<String> workspaces = new ArrayList<>(
          Await.until(commands(what).smembers(keys.watermarked()), deadline, what));
      List<CompletableFuture<String>> reads = new ArrayList<>(workspaces.size());
      for (String ws : workspaces) {
        reads.add(commands(what).get(keys.watermark(ws)).toCompletableFuture());
      }
      Map<String, java.time.Instant> all = new java.util.HashMap<>();
      for (int i = 0; i < workspaces.size(); i++) {
        String ms = Await.until(reads.get(i), deadline, what);
        if (ms != null) all.put(workspaces.get(i), watermarkOf(ms));
      }
      return all;
    });
  }

  private static java.time.Instant watermarkOf(String ms) {
    try {
      return java.time.Instant.ofEpochMilli(Long.parseLong(ms));
    } catch (NumberFormatException e) {
      throw new StoreUnavailableException(
          "Redis token store holds a malformed revocation watermark", null);
    }
  }

  @Override
  public List<TokenRecord> list(String workspace, @Nullable String afterId, int limit) {
    Objects.requireNonNull(workspace, "workspace == null");
    if (limit < 1) throw new InvalidArgumentException("limit", "must be at least 1, was " + limit);
    open();
    return retryingRead(System.nanoTime() + timeoutNanos,
        () -> listOnce(workspace, afterId, limit));
  }

  private List<TokenRecord> listOnce(String workspace, @Nullable String afterId, int limit) {
    String what = "list of workspace " + workspace;
    reachable(keys.index(workspace), what);
    String[] indexKeys = indexKeys(workspace);
    List<TokenRecord> page = new ArrayList<>(Math.min(limit, 256));
    String cursor = afterId;
    while (page.size() < limit) {
      int batch = Math.min(limit - page.size(), MAX_LIST_BATCH);
      List<Object> ids = await(Scripts.LIST.<List<Object>>run(commands(what), ScriptOutputType.MULTI,
          indexKeys, cursor == null ? "0" : "1", cursor == null ? "" : cursor,
          Integer.toString(batch), Integer.toString(SWEEP_BUCKETS)), what);
      if (ids == null || ids.isEmpty()) break;
      // One pipelined HGETALL per id: in a cluster the records live on different nodes.
      List<CompletableFuture<Map<String, String>>> reads = new ArrayList<>(ids.size());
      for (Object id : ids) {
        reads.add(commands(what).hgetall(keys.record((String) id)).toCompletableFuture());
      }
      long deadline = System.nanoTime() + timeoutNanos;
      for (int i = 0; i < ids.size(); i++) {
        String id = (String) ids.get(i);
        TokenRecord r = RecordCodec.decode(id, Await.until(reads.get(i), deadline, what));
        // Skipped: an entry whose record is gone (deleted, expired, or never written after a
        // crash) or belongs to another workspace (a refused duplicate insert).
        if (r != null && r.workspace().equals(workspace)) page.add(r);
      }
      if (ids.size() < batch) break;
      cursor = (String) ids.get(ids.size() - 1);
    }
    return page;
  }

  @Override
  public void applyUsage(Collection<UsageUpdate> updates) {
    Objects.requireNonNull(updates, "updates == null");
    if (updates.isEmpty()) return;
    open();
    String what = "usage batch of " + updates.size() + " tokens";
    for (UsageUpdate u : updates) usageReachable(keys.record(u.tokenId()), what);
    // Pipelined, on a connection of its own when the store opened its connections: a chunk of usage
    // scripts then never queues a validation's HGETALL behind it on the same socket. Every script
    // is sent before any reply is awaited.
    List<CompletableFuture<Long>> replies = new ArrayList<>(updates.size());
    for (UsageUpdate u : updates) {
      String ip = u.clientIp();
      String integration = u.integration();
      replies.add(Scripts.USAGE.run(connections.usage(what), ScriptOutputType.INTEGER,
          new String[] {keys.record(u.tokenId())},
          Long.toString(u.usedAt().toEpochMilli()),
          ip == null ? "0" : "1", ip == null ? "" : ip,
          integration == null ? "0" : "1", integration == null ? "" : integration));
    }
    long deadline = System.nanoTime() + timeoutNanos;
    for (CompletableFuture<Long> reply : replies) Await.until(reply, deadline, what);
  }

  /**
   * Subscribes to the ids changed through this store's key prefix by any process. Empty when the
   * store was built on a host connection without a {@linkplain
   * Builder#pubSubConnection(StatefulRedisPubSubConnection) pub/sub connection}.
   *
   * @throws StoreUnavailableException if the subscription cannot be made
   */
  @Override
  public Optional<Subscription> subscribe(ChangeListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    open();
    if (feed == null) return Optional.empty();
    return Optional.of(feed.subscribe(listener));
  }

  /** Ends the change feed and releases what this store created; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) return;
    if (feed != null) feed.close();
    connections.close();
  }

  @Override
  public String toString() {
    return "RedisTokenStore[mode=" + connections.mode + ", keyPrefix=" + keys.prefix() + "]";
  }

  // ------------------------------------------------------------------ internals

  RedisKeys keys() {
    return keys;
  }

  /**
   * The record's time to live from now: until it expires (nothing for a revoked one), plus the
   * retention. Relative to the write, so no clock has to agree with Redis's.
   */
  long ttlMillis(TokenRecord r) {
    long live = 0;
    if (r.state() != StoredState.REVOKED) {
      try {
        live = Math.subtractExact(r.expiresAt().toEpochMilli(), r.updatedAt().toEpochMilli());
      } catch (ArithmeticException e) {
        live = MAX_LIVE_MILLIS;
      }
    }
    return Math.min(Math.max(live, 0), MAX_LIVE_MILLIS) + retentionMillis;
  }

  /** Indexes the record's id in its workspace; returns the record's expiry (Redis time, ms). */
  private long index(TokenRecord r, String what) {
    Long expireAt = await(Scripts.INDEX.<Long>run(commands(what), ScriptOutputType.INTEGER,
        indexKeys(r.workspace()), r.id(),
        Long.toString(ttlMillis(r)), Integer.toString(SWEEP_BUCKETS),
        Long.toString(INDEX_MARGIN_MILLIS), indexFlags(r),
        Long.toString(RevocationWatermarks.writtenAtMillis(r))), what);
    return Objects.requireNonNull(expireAt, "INDEX script returned nil");
  }

  /** The flags of a new index member for the record (see {@link Scripts#INDEX}). */
  private static String indexFlags(TokenRecord r) {
    return (r.state() == StoredState.REVOKED ? "r" : "") + (explicitWrittenAt(r) ? "w" : "");
  }

  /**
   * Removes an index entry after its record is gone. The change itself has happened by then, so a
   * failure here is not the caller's: the entry is skipped by listing and swept when due.
   */
  private void unindexQuietly(String workspace, String id) {
    String what = "unindex of token " + id;
    try {
      await(Scripts.UNINDEX.<Long>run(commands(what), ScriptOutputType.INTEGER,
          indexKeys(workspace), id), what);
    } catch (StoreUnavailableException e) {
      System.getLogger(RedisTokenStore.class.getName()).log(System.Logger.Level.DEBUG,
          "index entry of token " + id + " left for the sweep: " + e.getMessage());
    }
  }

  /** The keys of a workspace's index, as the index scripts take them (one slot). */
  private String[] indexKeys(String workspace) {
    return new String[] {keys.index(workspace), keys.due(workspace), keys.writtenAt(workspace),
        keys.counters(workspace)};
  }

  /**
   * Whether the record's written-at time is not the one its id gives (an imported key): its index
   * member is then flagged and its time kept in {@code w:{ws}}. An id of neither version gives
   * the epoch, as such a record without {@code importedAt} is: the raise counts it by id range.
   */
  static boolean explicitWrittenAt(TokenRecord r) {
    return r.importedAt() != null || RevocationWatermarks.writtenAtMillis(r)
        != RevocationWatermarks.writtenAtMillis(r.id(), "", null);
  }

  /**
   * Brings the REVOKED flag of a record's index member in line after a replace changed its state.
   * The change has happened by then; if this fails, only the count of a later raise is off by
   * one (README, "Revoke-all").
   */
  private void flagQuietly(TokenRecord r) {
    String what = "index flag of token " + r.id();
    try {
      await(Scripts.FLAG.<Long>run(commands(what), ScriptOutputType.INTEGER,
          indexKeys(r.workspace()), r.id(), r.state() == StoredState.REVOKED ? "1" : "0"), what);
    } catch (StoreUnavailableException e) {
      System.getLogger(RedisTokenStore.class.getName()).log(System.Logger.Level.DEBUG,
          "index flag of token " + r.id() + " left stale: " + e.getMessage());
    }
  }

  /**
   * Refuses a call at once when the connection that serves {@code key} is known to be down, as
   * Lettuce's {@code REJECT_COMMANDS} does for a standalone client. A connection that is being
   * opened for the first time is waited for, within the command timeout.
   */
  private void reachable(String key, String what) {
    if (connections.failFast && connections.link(key) == Connections.Link.DOWN) {
      throw Await.unavailable(what, new RedisException("Currently not connected"));
    }
  }

  /** {@link #reachable} for the usage writes' connection. */
  private void usageReachable(String key, String what) {
    if (connections.failFast && connections.usageLink(key) == Connections.Link.DOWN) {
      throw Await.unavailable(what, new RedisException("Currently not connected"));
    }
  }

  /**
   * Runs an idempotent read. When it fails because its connection dropped (a killed client, a
   * failover) it is sent again as soon as the connection is back, for up to {@link
   * #RETRY_GRACE_NANOS} and never past {@code deadline}: a reconnect takes milliseconds, an outage
   * longer. A timeout or a server error is never retried.
   */
  private <T> T retryingRead(long deadline, Supplier<T> read) {
    long giveUpAt = Math.min(deadline, System.nanoTime() + RETRY_GRACE_NANOS);
    while (true) {
      try {
        return read.get();
      } catch (StoreUnavailableException e) {
        if (!Await.isDisconnect(e.getCause())) throw e;
        if (System.nanoTime() - giveUpAt >= 0 || Thread.currentThread().isInterrupted()) throw e;
        // Lettuce rejects commands until it has reconnected; those were never sent.
        LockSupport.parkNanos(RETRY_PAUSE_NANOS);
      }
    }
  }

  private RedisClusterAsyncCommands<String, String> commands(String what) {
    return connections.commands(what);
  }

  private <T> T await(CompletionStage<T> reply, String what) {
    return Await.reply(reply, timeoutNanos, what);
  }

  private void open() {
    if (closed.get()) throw new StoreUnavailableException("Redis token store is closed", null);
    if (!layoutChecked) checkLayout();
  }

  /**
   * Makes sure the keys under the prefix are in the layout this code reads, once per store (the
   * first call after Redis is reachable): the layout key holds {@value RedisKeys#LAYOUT}, or is
   * absent and so are layout-1 records, and is then set. Keys of another layout are refused with
   * a message naming it, on every call, rather than misread.
   */
  private void checkLayout() {
    synchronized (layoutLock) {
      checkLayoutOnce();
    }
  }

  private void checkLayoutOnce() {
    if (layoutChecked) return;
    if (layoutRefusal != null) throw new StoreUnavailableException(layoutRefusal, null);
    String what = "layout check of key prefix '" + keys.prefix() + "'";
    String key = keys.layout();
    reachable(key, what);
    String layout = await(commands(what).get(key), what);
    if (layout == null) {
      if (hasLayout1Records(what)) {
        layout = "1";
      } else {
        await(commands(what).setnx(key, Integer.toString(RedisKeys.LAYOUT)), what);
        layout = await(commands(what).get(key), what);
      }
    }
    if (!Integer.toString(RedisKeys.LAYOUT).equals(layout)) {
      layoutRefusal = "Redis keys under prefix '" + keys.prefix() + "' are in layout " + layout
          + "; this store reads and writes layout " + RedisKeys.LAYOUT
          + " (see store-redis/README.md, \"Layout versions\")";
      throw new StoreUnavailableException(layoutRefusal, null);
    }
    layoutChecked = true;
  }

  /** Whether any record of layout 1 exists under the prefix: a SCAN of every node, until one. */
  private boolean hasLayout1Records(String what) {
    ScanArgs args = ScanArgs.Builder.matches(keys.layout1RecordPattern()).limit(10_000);
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page = await(commands(what).scan(cursor, args), what);
      if (!page.getKeys().isEmpty()) return true;
      cursor = page;
    } while (!cursor.isFinished());
    return false;
  }

  // ------------------------------------------------------------------ builder

  /**
   * Builds a {@link RedisTokenStore}. Give it exactly one way to reach Redis: {@link #uri}, {@link
   * #clusterUri}, {@link #client}, {@link #clusterClient}, {@link #connection} or {@link
   * #clusterConnection}. Each setting is checked as it is set, and may be set once. Not
   * thread-safe.
   */
  public static final class Builder {
    private @Nullable String source;
    private @Nullable RedisURI uri;
    private @Nullable List<RedisURI> clusterUris;
    private @Nullable RedisClient client;
    private @Nullable RedisClusterClient clusterClient;
    private @Nullable StatefulRedisConnection<String, String> connection;
    private @Nullable StatefulRedisClusterConnection<String, String> clusterConnection;
    private @Nullable StatefulRedisPubSubConnection<String, String> pubSubConnection;
    private @Nullable String keyPrefix;
    private @Nullable Duration retention;
    private @Nullable Duration auditRetention;
    private @Nullable Duration commandTimeout;

    private Builder() {}

    /**
     * A standalone Redis (or Sentinel) URI; the store creates and owns the client.
     *
     * @param redisUri {@code redis://}, {@code rediss://}, {@code redis-socket://} or {@code
     *     redis-sentinel://}, as Lettuce's {@link RedisURI} reads them
     * @throws InvalidArgumentException if malformed, or if another source was set
     * @return this builder
     */
    public Builder uri(String redisUri) {
      checkSource("uri");
      if (redisUri == null) throw new InvalidArgumentException("uri", "must not be null");
      if (!redisUri.startsWith("redis://") && !redisUri.startsWith("rediss://")
          && !redisUri.startsWith("redis-socket://") && !redisUri.startsWith("redis-sentinel://")
          && !redisUri.startsWith("rediss-sentinel://")) {
        throw new InvalidArgumentException("uri",
            "must start with redis://, rediss://, redis-socket:// or redis-sentinel://");
      }
      this.uri = parse("uri", redisUri);
      source = "uri";
      return this;
    }

    /**
     * Seed nodes of a Redis Cluster; the store creates and owns a cluster client, which discovers
     * the other nodes.
     *
     * @throws InvalidArgumentException if a URI is malformed, or if another source was set
     * @param seedUri a node of the cluster; the others are discovered
     * @param moreSeedUris further nodes to try if the first is down
     * @return this builder
     */
    public Builder clusterUri(String seedUri, String... moreSeedUris) {
      checkSource("clusterUri");
      if (seedUri == null || moreSeedUris == null) {
        throw new InvalidArgumentException("clusterUri", "must not be null");
      }
      List<RedisURI> uris = new ArrayList<>();
      List<String> all = new ArrayList<>();
      all.add(seedUri);
      all.addAll(Arrays.asList(moreSeedUris));
      for (String s : all) {
        if (s == null) throw new InvalidArgumentException("clusterUri", "must not be null");
        if (!s.startsWith("redis://") && !s.startsWith("rediss://")) {
          throw new InvalidArgumentException("clusterUri", "must start with redis:// or rediss://");
        }
        uris.add(parse("clusterUri", s));
      }
      this.clusterUris = List.copyOf(uris);
      source = "clusterUri";
      return this;
    }

    /**
     * The host's standalone client: the store opens its own connections on it and closes them,
     * never the client.
     *
     * @param client the host's standalone client; the store never shuts it down
     * @return this builder
     */
    public Builder client(RedisClient client) {
      checkSource("client");
      this.client = nonNull("client", client);
      source = "client";
      return this;
    }

    /**
     * The host's cluster client: as {@link #client}, for Redis Cluster.
     *
     * @param clusterClient the host's cluster client; the store never shuts it down
     * @return this builder
     */
    public Builder clusterClient(RedisClusterClient clusterClient) {
      checkSource("clusterClient");
      this.clusterClient = nonNull("clusterClient", clusterClient);
      source = "clusterClient";
      return this;
    }

    /**
     * The host's connection, with a String codec ({@link StringCodec#UTF8}); never closed by the
     * store. Without {@link #pubSubConnection} the store has no change feed, and caches elsewhere
     * learn of changes only when their entries' time-to-live ends.
     *
     * @param connection the host's connection; the store never closes it
     * @return this builder
     */
    public Builder connection(StatefulRedisConnection<String, String> connection) {
      checkSource("connection");
      this.connection = nonNull("connection", connection);
      source = "connection";
      return this;
    }

    /**
     * The host's cluster connection: as {@link #connection}, for Redis Cluster.
     *
     * @param clusterConnection the host's cluster connection; the store never closes it
     * @return this builder
     */
    public Builder clusterConnection(
        StatefulRedisClusterConnection<String, String> clusterConnection) {
      checkSource("clusterConnection");
      this.clusterConnection = nonNull("clusterConnection", clusterConnection);
      source = "clusterConnection";
      return this;
    }

    /**
     * The host's pub/sub connection (String codec) for the change feed of a store built on a
     * {@link #connection} or {@link #clusterConnection}. The store subscribes it to its channel
     * and unsubscribes on close; it never closes it.
     *
     * @param pubSubConnection a pub/sub connection for the change feed; the store never closes it
     * @return this builder
     */
    public Builder pubSubConnection(StatefulRedisPubSubConnection<String, String> pubSubConnection) {
      if (this.pubSubConnection != null) {
        throw new InvalidArgumentException("pubSubConnection", "was already set");
      }
      this.pubSubConnection = nonNull("pubSubConnection", pubSubConnection);
      return this;
    }

    /**
     * Prepended to every key and to the change channel ({@code latchkey:} by default), so several
     * stores or applications can share one Redis. At most 64 characters, no braces (they are
     * cluster hash tags), no spaces or control characters; may be empty.
     *
     * @param keyPrefix the prefix of every key and of the channel
     * @return this builder
     */
    public Builder keyPrefix(String keyPrefix) {
      if (this.keyPrefix != null) {
        throw new InvalidArgumentException("keyPrefix", "was already set to " + this.keyPrefix);
      }
      nonNull("keyPrefix", keyPrefix);
      if (keyPrefix.length() > 64) {
        throw new InvalidArgumentException("keyPrefix", "must be at most 64 characters");
      }
      for (int i = 0; i < keyPrefix.length(); i++) {
        char c = keyPrefix.charAt(i);
        if (c == '{' || c == '}') {
          throw new InvalidArgumentException("keyPrefix",
              "must not contain '{' or '}': they are Redis Cluster hash tags");
        }
        if (c <= ' ' || c == 0x7f) {
          throw new InvalidArgumentException("keyPrefix",
              "must not contain spaces or control characters (index " + i + ")");
        }
      }
      this.keyPrefix = keyPrefix;
      return this;
    }

    /**
     * How long a token's audit trail stays in Redis after its last entry (400 days by default):
     * each trail is a key whose TTL every audited change renews. Set it to the {@code
     * Latchkey.Builder.auditRetention}, which hides older entries anyway. At least one day.
     *
     * @param retention how long a trail outlives its last entry, 1 to 36,500 days
     * @return this builder
     * @throws InvalidArgumentException if {@code retention} is null, out of range, or was already
     *     set
     */
    public Builder auditRetention(Duration retention) {
      if (this.auditRetention != null) {
        throw new InvalidArgumentException("auditRetention",
            "was already set to " + this.auditRetention);
      }
      nonNull("auditRetention", retention);
      if (retention.compareTo(Duration.ofDays(1)) < 0) {
        throw new InvalidArgumentException("auditRetention", "must be at least 1 day");
      }
      if (retention.compareTo(Duration.ofDays(36_500)) > 0) {
        throw new InvalidArgumentException("auditRetention", "must be at most 36500 days");
      }
      this.auditRetention = retention;
      return this;
    }

    /**
     * How long a record stays in Redis after it expires or is revoked (30 days by default), so
     * that listings and validation can still tell why it no longer works. Then its TTL removes it.
     * At least one minute, at most 100 years.
     *
     * @param retention how long revoked and expired records stay
     * @return this builder
     */
    public Builder retention(Duration retention) {
      if (this.retention != null) {
        throw new InvalidArgumentException("retention", "was already set to " + this.retention);
      }
      nonNull("retention", retention);
      if (retention.compareTo(Duration.ofMinutes(1)) < 0) {
        throw new InvalidArgumentException("retention", "must be at least 1 minute");
      }
      if (retention.compareTo(Duration.ofDays(36_500)) > 0) {
        throw new InvalidArgumentException("retention", "must be at most 36500 days");
      }
      this.retention = retention;
      return this;
    }

    /**
     * How long any call waits for Redis before it throws {@link StoreUnavailableException} (2 s
     * by default): short, so that validation answers {@code UNAVAILABLE} quickly when Redis is
     * down. Between 1 ms and 5 minutes.
     *
     * @param commandTimeout the longest a command may take
     * @return this builder
     */
    public Builder commandTimeout(Duration commandTimeout) {
      if (this.commandTimeout != null) {
        throw new InvalidArgumentException("commandTimeout",
            "was already set to " + this.commandTimeout);
      }
      nonNull("commandTimeout", commandTimeout);
      if (commandTimeout.compareTo(Duration.ofMillis(1)) < 0) {
        throw new InvalidArgumentException("commandTimeout", "must be at least 1 ms");
      }
      if (commandTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new InvalidArgumentException("commandTimeout", "must be at most 5 minutes");
      }
      this.commandTimeout = commandTimeout;
      return this;
    }

    /**
     * Connects and returns the store.
     *
     * @throws InvalidArgumentException if no way to reach Redis was set, or the settings conflict
     * <p>A Redis that cannot be reached (refused, no answer within the command timeout) does not
     * fail the build: the store is returned, every call throws {@link StoreUnavailableException}
     * ({@code not connected}) at once, and the store connects in the background, trying every
     * 500 ms, then works as if it had connected here. A host starting during an outage thus
     * starts, as it does on every Latchkey store.
     *
     * @throws StoreUnavailableException if Redis answers the connection with an error (e.g.
     *     {@code WRONGPASS}): a setting to fix, not an outage to wait out
     * @return the open store
     */
    public RedisTokenStore build() {
      if (source == null) {
        throw new InvalidArgumentException("uri",
            "must be set, or one of clusterUri, client, clusterClient, connection,"
                + " clusterConnection");
      }
      if (pubSubConnection != null && connection == null && clusterConnection == null) {
        throw new InvalidArgumentException("pubSubConnection",
            "goes with connection or clusterConnection; a store built from " + source
                + " opens its own");
      }
      Duration timeout = commandTimeout == null ? DEFAULT_COMMAND_TIMEOUT : commandTimeout;
      Connections c = connect(timeout);
      return new RedisTokenStore(c, keyPrefix == null ? DEFAULT_KEY_PREFIX : keyPrefix,
          retention == null ? DEFAULT_RETENTION : retention,
          auditRetention == null ? DEFAULT_AUDIT_RETENTION : auditRetention, timeout);
    }

    private Connections connect(Duration timeout) {
      List<AutoCloseable> owned = new ArrayList<>();
      try {
        if (uri != null) {
          uri.setTimeout(timeout); // our own parse of the host's text: ours to change
          ClientResources resources = resources(owned);
          RedisClient own = RedisClient.create(resources, uri);
          owned.add(() -> own.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
          own.setOptions(ClientOptions.builder()
              .autoReconnect(true)
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
              .timeoutOptions(TimeoutOptions.enabled(timeout))
              .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
              .build());
          return standalone(own, owned);
        }
        if (clusterUris != null) {
          for (RedisURI seed : clusterUris) seed.setTimeout(timeout);
          ClientResources resources = resources(owned);
          RedisClusterClient own = RedisClusterClient.create(resources, clusterUris);
          owned.add(() -> own.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
          own.setOptions(ClusterClientOptions.builder()
              .autoReconnect(true)
              // Not REJECT_COMMANDS: since Lettuce 7.7 it also rejects a command that waits for a
              // node connection to open (every first command to a node). The store refuses
              // commands on a dropped node connection itself (Connections.failFast), and cancels
              // a timed-out one so that it is never sent after a reconnect.
              .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
              .timeoutOptions(TimeoutOptions.enabled(timeout))
              .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
              .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                  .enableAllAdaptiveRefreshTriggers().build())
              .build());
          return cluster(own, true, owned);
        }
        if (client != null) return standalone(client, owned);
        if (clusterClient != null) return cluster(clusterClient, false, owned);
        StatefulRedisPubSubConnection<String, String> hostPubSub = pubSubConnection;
        Supplier<StatefulRedisPubSubConnection<String, String>> pubSub =
            hostPubSub == null ? null : () -> hostPubSub;
        if (connection != null) {
          return Connections.standalone(connection, null, pubSub, false, owned);
        }
        return Connections.cluster(Objects.requireNonNull(clusterConnection), null, false, pubSub,
            false, owned);
      } catch (RuntimeException e) {
        Connections.closeAll(owned);
        if (e instanceof StoreUnavailableException || e instanceof InvalidArgumentException) {
          throw e;
        }
        throw Await.connectFailed(e);
      }
    }

    /**
     * Event loops and timers for a client the store creates, with a bounded reconnect back-off:
     * {@link #MIN_RECONNECT_DELAY}, doubling up to {@link #MAX_RECONNECT_DELAY}. Released after
     * the client (owned is closed in reverse order).
     */
    private static ClientResources resources(List<AutoCloseable> owned) {
      ClientResources resources = ClientResources.builder()
          .reconnectDelay(Delay.exponential(MIN_RECONNECT_DELAY, MAX_RECONNECT_DELAY, 2,
              TimeUnit.MILLISECONDS))
          .build();
      owned.add(() -> resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS));
      return resources;
    }

    /**
     * Connects; if Redis cannot be reached (refused, timed out — not an error Redis answered,
     * such as a wrong password), the store is built anyway and connects in the background.
     */
    private static Connections standalone(RedisClient client, List<AutoCloseable> owned) {
      Supplier<StatefulRedisPubSubConnection<String, String>> pubSub =
          () -> client.connectPubSub(StringCodec.UTF8);
      try {
        StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8);
        owned.add(c);
        // Usage writes get a connection of their own (see Connections).
        StatefulRedisConnection<String, String> usage = client.connect(StringCodec.UTF8);
        owned.add(usage);
        return Connections.standalone(c, usage, pubSub, true, owned);
      } catch (RuntimeException e) {
        if (!Await.isUnreachable(e)) throw e;
        return Connections.pending("standalone", false, () -> client.connect(StringCodec.UTF8),
            pubSub, true, owned, MAX_RECONNECT_DELAY.toMillis());
      }
    }

    private static Connections cluster(RedisClusterClient client, boolean failFast,
        List<AutoCloseable> owned) {
      Supplier<StatefulRedisPubSubConnection<String, String>> pubSub =
          () -> client.connectPubSub(StringCodec.UTF8);
      try {
        StatefulRedisClusterConnection<String, String> c = client.connect(StringCodec.UTF8);
        owned.add(c);
        StatefulRedisClusterConnection<String, String> usage = client.connect(StringCodec.UTF8);
        owned.add(usage);
        return Connections.cluster(c, usage, failFast, pubSub, true, owned);
      } catch (RuntimeException e) {
        if (!Await.isUnreachable(e)) throw e;
        return Connections.pending("cluster", failFast, () -> client.connect(StringCodec.UTF8),
            pubSub, true, owned, MAX_RECONNECT_DELAY.toMillis());
      }
    }

    /** Parses without echoing the text: a URI may carry a password. */
    private static RedisURI parse(String field, String text) {
      try {
        return RedisURI.create(text);
      } catch (RuntimeException e) {
        throw new InvalidArgumentException(field, "is not a valid Redis URI (redis://host:port)");
      }
    }

    /** Fails unless {@code field} may become the one way to reach Redis. */
    private void checkSource(String field) {
      if (field.equals(source)) throw new InvalidArgumentException(field, "was already set");
      if (source != null) {
        throw new InvalidArgumentException(field,
            "cannot be combined with " + source + ": give the store one way to reach Redis");
      }
    }

    private static <T> T nonNull(String field, @Nullable T value) {
      if (value == null) throw new InvalidArgumentException(field, "must not be null");
      return value;
    }
  }
}
