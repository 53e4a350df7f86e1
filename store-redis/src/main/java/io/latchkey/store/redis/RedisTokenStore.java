package io.latchkey.store.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latchkey.InvalidArgumentException;
import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.StoredState;
import io.latchkey.spi.TokenRecord;
import io.latchkey.spi.TokenStore;
import io.latchkey.spi.UsageUpdate;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A {@link TokenStore} in Redis or Redis Cluster, on Lettuce. One code path serves both: every
 * command goes through Lettuce's shared cluster-or-standalone async interface.
 *
 * <p><b>Keys.</b> A record is one hash, {@code <prefix>t:{<id>}}, so {@link #find} is one {@code
 * HGETALL}; permissions, allowlist and metadata are JSON fields in it. A workspace's index is a
 * sorted set {@code <prefix>w:{<workspace>}} of ids (all scored 0, so it sorts by id) for keyset
 * listing and revoke-all. Changes are published on {@code <prefix>changes}.
 *
 * <p><b>Atomicity.</b> Insert-if-absent, compare-and-set and delete are Lua scripts (EVALSHA, with
 * EVAL on NOSCRIPT) that touch the record key only, so in a cluster each runs on one node. The
 * index lives in another slot and is written outside them, in an order that a crash between the
 * two cannot turn into a token that validation finds but revoke-all cannot reach: insert adds the
 * index entry <em>first</em>, delete removes the record first and the index entry after. An index
 * entry whose record is gone is skipped by listing, and removed once its id is a day old (a
 * younger one may be an insert in progress).
 *
 * <p><b>Retention.</b> Every record carries a TTL: its remaining lifetime plus the retention (30
 * days by default) once expired, and the retention alone once revoked. Expired and revoked tokens
 * thus linger long enough for listing and audits, then leave the keyspace; validation answers as
 * for an unknown token afterwards. TTLs are relative, so clock skew between hosts and Redis does
 * not matter.
 *
 * <p>Built from a URI, the store owns its client and closes it; built from the host's client or
 * connection, it never closes those. Every method throws {@link StoreUnavailableException} when
 * Redis cannot be reached or does not answer within the command timeout (2 s by default).
 */
public final class RedisTokenStore implements TokenStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Boolean>> PERMISSIONS = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<Map<String, String>> METADATA = new TypeReference<>() {};
  private static final String[] NO_STRINGS = new String[0];
  /** An index entry without its record is tidied away once its id is this old. */
  static final long ORPHAN_AGE_MILLIS = Duration.ofDays(1).toMillis();
  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  private final RedisClusterAsyncCommands<String, String> redis;
  private final @Nullable AbstractRedisClient client;
  private final boolean ownsClient;
  private final @Nullable StatefulConnection<String, String> ownedConnection;
  private final String prefix;
  private final String channel;
  private final long retentionMillis;
  private final Duration timeout;
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  private @Nullable StatefulRedisPubSubConnection<String, String> pubSub;
  private @Nullable RedisConnectionStateListener reconnects;

  private RedisTokenStore(Builder b, RedisClusterAsyncCommands<String, String> redis,
      @Nullable AbstractRedisClient client, boolean ownsClient,
      @Nullable StatefulConnection<String, String> ownedConnection) {
    this.redis = redis;
    this.client = client;
    this.ownsClient = ownsClient;
    this.ownedConnection = ownedConnection;
    this.prefix = b.keyPrefix;
    this.channel = b.keyPrefix + "changes";
    this.retentionMillis = b.retention.toMillis();
    this.timeout = b.commandTimeout;
  }

  /**
   * A store on a standalone Redis, e.g. {@code redis://localhost:6379/0}; it owns its client.
   *
   * @throws StoreUnavailableException if Redis cannot be reached
   */
  public static RedisTokenStore create(String uri) {
    return builder().uri(uri).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  private String recordKey(String id) {
    return prefix + "t:{" + id + "}";
  }

  private String indexKey(String workspace) {
    return prefix + "w:{" + workspace + "}";
  }

  // ------------------------------------------------------------------ SPI

  @Override
  public boolean insert(TokenRecord r) {
    Objects.requireNonNull(r, "record == null");
    // Index first: a crash after it leaves an entry that listing skips, never an unlisted token.
    await("insert", redis.zadd(indexKey(r.workspace()), 0, r.id()));
    List<String> args = new ArrayList<>(List.of(channel, r.id(), Long.toString(ttlMillis(r))));
    addContent(args, r);
    if (r.lastUsedAt() != null) {
      args.add("lastUsedAt");
      args.add(Long.toString(r.lastUsedAt().toEpochMilli()));
    }
    if (r.lastUsedIp() != null) {
      args.add("lastUsedIp");
      args.add(r.lastUsedIp());
    }
    if (r.lastUsedIntegration() != null) {
      args.add("lastUsedIntegration");
      args.add(r.lastUsedIntegration());
    }
    Long inserted = script("insert", Scripts.INSERT, ScriptOutputType.INTEGER, recordKey(r.id()),
        args);
    return inserted != null && inserted == 1L;
  }

  @Override
  public Optional<TokenRecord> find(String id) {
    Objects.requireNonNull(id, "id == null");
    Map<String, String> fields = await("find", redis.hgetall(recordKey(id)));
    return fields == null || fields.isEmpty() ? Optional.empty() : Optional.of(decode(id, fields));
  }

  @Override
  public boolean replace(TokenRecord updated, long expectedVersion) {
    Objects.requireNonNull(updated, "updated == null");
    List<String> args = new ArrayList<>(List.of(channel, updated.id(),
        Long.toString(expectedVersion), Long.toString(ttlMillis(updated))));
    addContent(args, updated);
    Long replaced = script("replace", Scripts.REPLACE, ScriptOutputType.INTEGER,
        recordKey(updated.id()), args);
    return replaced != null && replaced == 1L;
  }

  @Override
  public boolean delete(String id) {
    Objects.requireNonNull(id, "id == null");
    String workspace = script("delete", Scripts.DELETE, ScriptOutputType.VALUE, recordKey(id),
        List.of(channel, id));
    if (workspace == null) return false;
    await("delete", redis.zrem(indexKey(workspace), id));
    return true;
  }

  @Override
  public List<TokenRecord> list(String workspace, @Nullable String afterId, int limit) {
    Objects.requireNonNull(workspace, "workspace == null");
    if (limit < 1) throw new IllegalArgumentException("limit < 1");
    String index = indexKey(workspace);
    List<TokenRecord> page = new ArrayList<>(Math.min(limit, 256));
    String after = afterId;
    while (page.size() < limit) {
      int want = limit - page.size();
      Range<String> range = after == null
          ? Range.unbounded()
          : Range.from(Range.Boundary.excluding(after), Range.Boundary.unbounded());
      List<String> ids = await("list", redis.zrangebylex(index, range, Limit.create(0, want)));
      if (ids.isEmpty()) break;
      List<RedisFuture<Map<String, String>>> reads = new ArrayList<>(ids.size());
      for (String id : ids) reads.add(redis.hgetall(recordKey(id))); // pipelined
      for (int i = 0; i < ids.size(); i++) {
        Map<String, String> fields = await("list", reads.get(i));
        String id = ids.get(i);
        if (fields == null || fields.isEmpty() || !workspace.equals(fields.get("workspace"))) {
          // Skipped. Removed only when surely a leftover (of retention, or of a crash): an entry
          // without its record is also what an insert in progress looks like, and removing that
          // one would hide a live token from revoke-all.
          if (issuedMillis(id) < System.currentTimeMillis() - ORPHAN_AGE_MILLIS) {
            await("list", redis.zrem(index, id));
          }
          continue;
        }
        page.add(decode(id, fields));
      }
      if (ids.size() < want) break;
      after = ids.get(ids.size() - 1);
    }
    return page;
  }

  @Override
  public void applyUsage(Collection<UsageUpdate> updates) {
    Objects.requireNonNull(updates, "updates == null");
    List<UsageUpdate> batch = List.copyOf(updates);
    List<RedisFuture<Long>> pending = new ArrayList<>(batch.size());
    for (UsageUpdate u : batch) { // pipelined: all sent, then all awaited
      pending.add(evalAsync(Scripts.USAGE, ScriptOutputType.INTEGER, recordKey(u.tokenId()),
          usageArgs(u)));
    }
    for (int i = 0; i < pending.size(); i++) {
      try {
        await("applyUsage", pending.get(i));
      } catch (StoreUnavailableException e) {
        if (!(e.getCause() instanceof RedisNoScriptException)) throw e;
        UsageUpdate u = batch.get(i); // that node had not seen the script yet
        script("applyUsage", Scripts.USAGE, ScriptOutputType.INTEGER, recordKey(u.tokenId()),
            usageArgs(u));
      }
    }
  }

  private static List<String> usageArgs(UsageUpdate u) {
    return List.of(Long.toString(u.usedAt().toEpochMilli()),
        u.clientIp() == null ? "" : u.clientIp(),
        u.integration() == null ? "" : u.integration());
  }

  /**
   * Subscribes to {@code <prefix>changes}. The first subscriber opens one pub/sub connection
   * (Lettuce resubscribes after a reconnect; subscribers are then told to drop their caches).
   * Empty when the store was built from a bare connection, which cannot open pub/sub.
   */
  @Override
  public synchronized Optional<Subscription> subscribe(ChangeListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    if (client == null) return Optional.empty();
    if (pubSub == null) {
      try {
        StatefulRedisPubSubConnection<String, String> c = client instanceof RedisClusterClient cc
            ? cc.connectPubSub() : ((RedisClient) client).connectPubSub();
        c.addListener(new RedisPubSubAdapter<>() {
          @Override
          public void message(String ch, String id) {
            for (ChangeListener l : listeners) l.tokenChanged(id);
          }
        });
        c.sync().subscribe(channel);
        RedisConnectionStateListener onReconnect = new RedisConnectionStateListener() {
          private boolean first = true;

          @Override
          public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress a) {
            if (connection != c) return;
            if (first) {
              first = false;
              return;
            }
            for (ChangeListener l : listeners) l.feedReset();
          }
        };
        client.addListener(onReconnect);
        reconnects = onReconnect;
        pubSub = c;
      } catch (RedisException e) {
        throw unavailable("subscribe", e);
      }
    }
    listeners.add(listener);
    return Optional.of(() -> listeners.remove(listener));
  }

  /** Closes the pub/sub connection and, if this store created them, its connection and client. */
  @Override
  public synchronized void close() {
    listeners.clear();
    if (reconnects != null && client != null) client.removeListener(reconnects);
    if (pubSub != null) pubSub.close();
    pubSub = null;
    if (ownedConnection != null) ownedConnection.close();
    if (ownsClient && client != null) client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  @Override
  public String toString() {
    return "RedisTokenStore[prefix=" + prefix + (client instanceof RedisClusterClient
        ? ", cluster]" : "]");
  }

  // ------------------------------------------------------------------ encoding

  /** Remaining lifetime plus retention; retention alone once revoked. Never below one second. */
  private long ttlMillis(TokenRecord r) {
    long remaining = r.state() == StoredState.REVOKED ? 0
        : Math.max(0, r.expiresAt().toEpochMilli() - r.updatedAt().toEpochMilli());
    return Math.max(1_000, remaining + retentionMillis);
  }

  /** Every field but the usage fields, which only applyUsage writes. */
  private static void addContent(List<String> args, TokenRecord r) {
    add(args, "workspace", r.workspace());
    add(args, "name", r.name());
    add(args, "description", r.description());
    add(args, "hint", r.hint());
    add(args, "keyId", r.keyId());
    add(args, "hash", Base64.getEncoder().encodeToString(r.hash()));
    add(args, "state", r.state().name());
    add(args, "permissions", json(r.permissions()));
    add(args, "allowedIps", json(r.allowedIps()));
    add(args, "metadata", json(r.metadata()));
    add(args, "createdAt", Long.toString(r.createdAt().toEpochMilli()));
    add(args, "createdBy", r.createdBy());
    add(args, "updatedAt", Long.toString(r.updatedAt().toEpochMilli()));
    add(args, "expiresAt", Long.toString(r.expiresAt().toEpochMilli()));
    add(args, "version", Long.toString(r.version()));
  }

  private static void add(List<String> args, String field, String value) {
    args.add(field);
    args.add(value);
  }

  private static TokenRecord decode(String id, Map<String, String> f) {
    try {
      return TokenRecord.builder()
          .id(id)
          .workspace(f.get("workspace"))
          .name(f.get("name"))
          .description(f.get("description"))
          .hint(f.get("hint"))
          .keyId(f.get("keyId"))
          .hash(Base64.getDecoder().decode(f.get("hash")))
          .state(StoredState.valueOf(f.get("state")))
          .permissions(JSON.readValue(f.get("permissions"), PERMISSIONS))
          .allowedIps(JSON.readValue(f.get("allowedIps"), STRINGS))
          .metadata(JSON.readValue(f.get("metadata"), METADATA))
          .createdAt(millis(f.get("createdAt")))
          .createdBy(f.get("createdBy"))
          .updatedAt(millis(f.get("updatedAt")))
          .expiresAt(millis(f.get("expiresAt")))
          .lastUsedAt(f.get("lastUsedAt") == null ? null : millis(f.get("lastUsedAt")))
          .lastUsedIp(f.get("lastUsedIp"))
          .lastUsedIntegration(f.get("lastUsedIntegration"))
          .version(Long.parseLong(f.get("version")))
          .build();
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalStateException("token record " + id + " in Redis is malformed", e);
    }
  }

  /** The issue time that a token id's first 8 characters carry (see core's token format). */
  static long issuedMillis(String id) {
    long t = 0;
    for (int i = 0; i < 8 && i < id.length(); i++) {
      int digit = BASE62.indexOf(id.charAt(i));
      if (digit < 0) return Long.MAX_VALUE; // not ours: never tidy it
      t = t * 62 + digit;
    }
    return t;
  }

  private static Instant millis(String text) {
    return Instant.ofEpochMilli(Long.parseLong(text));
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a token field as JSON", e);
    }
  }

  // ------------------------------------------------------------------ commands

  private <T> RedisFuture<T> evalAsync(Scripts s, ScriptOutputType type, String key,
      List<String> args) {
    return redis.evalsha(s.sha, type, new String[] {key}, args.toArray(NO_STRINGS));
  }

  /** EVALSHA, and EVAL (which also caches the script on that node) when it is not loaded yet. */
  private <T> @Nullable T script(String operation, Scripts s, ScriptOutputType type, String key,
      List<String> args) {
    try {
      return await(operation, evalAsync(s, type, key, args));
    } catch (StoreUnavailableException e) {
      if (!(e.getCause() instanceof RedisNoScriptException)) throw e;
      return await(operation,
          redis.<T>eval(s.source, type, new String[] {key}, args.toArray(NO_STRINGS)));
    }
  }

  private <T> T await(String operation, RedisFuture<T> future) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof RedisNoScriptException noScript) {
        throw new StoreUnavailableException("script not loaded", noScript);
      }
      throw unavailable(operation, cause);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new StoreUnavailableException("Redis token store did not answer " + operation
          + " within " + timeout.toMillis() + " ms", null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("interrupted during " + operation, e);
    }
  }

  private static StoreUnavailableException unavailable(String operation, Throwable cause) {
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName()
        : cause.getMessage();
    return new StoreUnavailableException(
        "Redis token store failed during " + operation + ": " + message, cause);
  }

  /**
   * Configures a {@link RedisTokenStore}: one of {@link #uri}, {@link #clusterUri} (the store owns
   * the client), {@link #client}, {@link #clusterClient} (the host's client: a connection is opened
   * and closed by the store, the client is not), or {@link #connection}/{@link
   * #clusterConnection} (the host's connection, never closed; no change feed).
   */
  public static final class Builder {
    private @Nullable String uri;
    private boolean cluster;
    private @Nullable AbstractRedisClient client;
    private @Nullable StatefulConnection<String, String> connection;
    private String keyPrefix = "latchkey:";
    private Duration retention = Duration.ofDays(30);
    private Duration commandTimeout = Duration.ofSeconds(2);
    private int sources;

    private Builder() {}

    private void once(String field) {
      if (++sources > 1) {
        throw new InvalidArgumentException(field,
            "cannot be combined: give one of uri, clusterUri, client, clusterClient, connection");
      }
    }

    /** A standalone Redis, {@code redis://[password@]host:port[/db]} or {@code rediss://…}. */
    public Builder uri(String uri) {
      checkUri("uri", uri);
      once("uri");
      this.uri = uri;
      return this;
    }

    /** A Redis Cluster, by the URI of any of its nodes: the rest are discovered. */
    public Builder clusterUri(String uri) {
      checkUri("clusterUri", uri);
      once("clusterUri");
      this.uri = uri;
      this.cluster = true;
      return this;
    }

    private static void checkUri(String field, @Nullable String uri) {
      if (uri == null || !(uri.startsWith("redis://") || uri.startsWith("rediss://"))) {
        throw new InvalidArgumentException(field, "must be a redis:// or rediss:// URI");
      }
    }

    /** The host's standalone client; never shut down by the store. */
    public Builder client(RedisClient client) {
      if (client == null) throw new InvalidArgumentException("client", "must not be null");
      once("client");
      this.client = client;
      return this;
    }

    /** The host's cluster client; never shut down by the store. */
    public Builder clusterClient(RedisClusterClient client) {
      if (client == null) throw new InvalidArgumentException("clusterClient", "must not be null");
      once("clusterClient");
      this.client = client;
      this.cluster = true;
      return this;
    }

    /** The host's standalone connection; never closed by the store. No change feed. */
    public Builder connection(StatefulRedisConnection<String, String> connection) {
      if (connection == null) throw new InvalidArgumentException("connection", "must not be null");
      once("connection");
      this.connection = connection;
      return this;
    }

    /** The host's cluster connection; never closed by the store. No change feed. */
    public Builder clusterConnection(StatefulRedisClusterConnection<String, String> connection) {
      if (connection == null) {
        throw new InvalidArgumentException("clusterConnection", "must not be null");
      }
      once("clusterConnection");
      this.connection = connection;
      this.cluster = true;
      return this;
    }

    /** Prefix of every key and of the channel: 1 to 64 characters, no braces or blanks. */
    public Builder keyPrefix(String keyPrefix) {
      if (keyPrefix == null || keyPrefix.isEmpty() || keyPrefix.length() > 64
          || !keyPrefix.matches("[^{}\\s]+")) {
        throw new InvalidArgumentException("keyPrefix",
            "must be 1 to 64 characters without braces or whitespace");
      }
      this.keyPrefix = keyPrefix;
      return this;
    }

    /** How long revoked and expired records stay before Redis drops them (30 days). */
    public Builder retention(Duration retention) {
      if (retention == null || retention.isNegative() || retention.isZero()) {
        throw new InvalidArgumentException("retention", "must be positive");
      }
      this.retention = retention;
      return this;
    }

    /** How long a command may take before the store reports unavailable (2 s). */
    public Builder commandTimeout(Duration timeout) {
      if (timeout == null || timeout.toMillis() < 10) {
        throw new InvalidArgumentException("commandTimeout", "must be at least 10 ms");
      }
      this.commandTimeout = timeout;
      return this;
    }

    /**
     * Connects.
     *
     * @throws InvalidArgumentException if no source was given
     * @throws StoreUnavailableException if Redis cannot be reached
     */
    @SuppressWarnings("unchecked")
    public RedisTokenStore build() {
      if (sources == 0) {
        throw new InvalidArgumentException("uri",
            "or clusterUri, client, clusterClient or connection must be set");
      }
      AbstractRedisClient owned = null;
      try {
        if (connection != null) {
          RedisClusterAsyncCommands<String, String> commands = cluster
              ? ((StatefulRedisClusterConnection<String, String>) connection).async()
              : ((StatefulRedisConnection<String, String>) connection).async();
          return new RedisTokenStore(this, commands, null, false, null);
        }
        AbstractRedisClient c = client;
        if (c == null) {
          RedisURI redisUri = RedisURI.create(uri);
          redisUri.setTimeout(commandTimeout);
          if (cluster) {
            RedisClusterClient cc = RedisClusterClient.create(redisUri);
            cc.setOptions(ClusterClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
            c = cc;
          } else {
            RedisClient rc = RedisClient.create(redisUri);
            rc.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
            c = rc;
          }
          owned = c;
        }
        StatefulConnection<String, String> conn;
        RedisClusterAsyncCommands<String, String> commands;
        if (c instanceof RedisClusterClient cc) {
          StatefulRedisClusterConnection<String, String> cluster = cc.connect();
          conn = cluster;
          commands = cluster.async();
        } else {
          StatefulRedisConnection<String, String> single = ((RedisClient) c).connect();
          conn = single;
          commands = single.async();
        }
        return new RedisTokenStore(this, commands, c, owned != null, conn);
      } catch (RedisException | IllegalArgumentException e) {
        if (owned != null) owned.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        if (e instanceof IllegalArgumentException) {
          throw new InvalidArgumentException("uri", "is malformed: " + e.getMessage());
        }
        throw unavailable("connect", e);
      }
    }
  }
}
