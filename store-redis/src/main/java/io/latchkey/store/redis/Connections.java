package io.latchkey.store.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What a store talks through, whatever the mode: the command interface that standalone and
 * cluster connections share, how to open the change feed's connection, what the store created
 * and must therefore release, and whether the connection that serves a key is up.
 *
 * <p>Usage writes go through a connection of their own when the store opens its connections, so a
 * chunk of usage scripts never queues a validation's read behind it on the same socket; with the
 * host's connection they share it.
 */
final class Connections {
  /** What a connection that serves a key is doing now. */
  enum Link {
    /** Connected: a command is written at once. */
    UP,
    /** Being opened for the first time (or unknown): a command waits for it, within its deadline. */
    OPENING,
    /** Was connected and is now reconnecting: a command cannot be answered before it is back. */
    DOWN
  }

  private volatile @Nullable RedisClusterAsyncCommands<String, String> commands;
  /** Usage writes: a connection of their own when the store opens its connections. */
  private volatile @Nullable RedisClusterAsyncCommands<String, String> usage;
  final @Nullable Supplier<StatefulRedisPubSubConnection<String, String>> pubSub;
  final boolean ownsPubSub;
  final String mode;
  /**
   * Whether the store refuses a command itself while the key's connection is {@link Link#DOWN}.
   * Set for the cluster clients the store creates: Lettuce's {@code REJECT_COMMANDS} would do it,
   * but since Lettuce 7.7 it also rejects commands that wait for a node connection to open
   * (redis/lettuce#3747), which every first command to a node does.
   */
  final boolean failFast;
  private volatile @Nullable StatefulRedisClusterConnection<String, String> cluster;
  private volatile @Nullable StatefulRedisClusterConnection<String, String> usageCluster;
  private final List<AutoCloseable> owned; // guarded by this
  private boolean closed; // guarded by this
  private @Nullable Thread connector; // guarded by this

  /**
   * @param pubSub opens the feed's connection, or null when the store has no feed
   * @param owned released by {@link #close()} in reverse order
   */
  private Connections(String mode, @Nullable RedisClusterAsyncCommands<String, String> commands,
      @Nullable RedisClusterAsyncCommands<String, String> usage,
      @Nullable StatefulRedisClusterConnection<String, String> cluster,
      @Nullable StatefulRedisClusterConnection<String, String> usageCluster, boolean failFast,
      @Nullable Supplier<StatefulRedisPubSubConnection<String, String>> pubSub, boolean ownsPubSub,
      List<AutoCloseable> owned) {
    this.mode = mode;
    this.commands = commands;
    this.usage = usage;
    this.cluster = cluster;
    this.usageCluster = usageCluster;
    this.failFast = failFast;
    this.pubSub = pubSub;
    this.ownsPubSub = ownsPubSub;
    this.owned = new ArrayList<>(owned);
  }

  /** @param usage the usage writes' own connection, or null to share {@code connection} */
  static Connections standalone(StatefulRedisConnection<String, String> connection,
      @Nullable StatefulRedisConnection<String, String> usage,
      @Nullable Supplier<StatefulRedisPubSubConnection<String, String>> pubSub, boolean ownsPubSub,
      List<AutoCloseable> owned) {
    return new Connections("standalone", connection.async(),
        (usage != null ? usage : connection).async(), null, null, false, pubSub, ownsPubSub,
        owned);
  }

  /** @param usage the usage writes' own connection, or null to share {@code connection} */
  static Connections cluster(StatefulRedisClusterConnection<String, String> connection,
      @Nullable StatefulRedisClusterConnection<String, String> usage, boolean failFast,
      @Nullable Supplier<StatefulRedisPubSubConnection<String, String>> pubSub,
      boolean ownsPubSub, List<AutoCloseable> owned) {
    StatefulRedisClusterConnection<String, String> u = usage != null ? usage : connection;
    return new Connections("cluster", connection.async(), u.async(), connection, u, failFast,
        pubSub, ownsPubSub, owned);
  }

  /**
   * A store built while Redis could not be reached: every call fails at once ({@code not
   * connected}) until a background thread, trying every {@code retryMillis}, has connected. Then
   * the store works as if it had connected in {@code build()}. Each attempt opens two
   * connections from {@code connect}: the commands' and the usage writes'.
   */
  static Connections pending(String mode, boolean failFast,
      Supplier<? extends StatefulConnection<String, String>> connect,
      @Nullable Supplier<StatefulRedisPubSubConnection<String, String>> pubSub, boolean ownsPubSub,
      List<AutoCloseable> owned, long retryMillis) {
    Connections c =
        new Connections(mode, null, null, null, null, failFast, pubSub, ownsPubSub, owned);
    Thread t = new Thread(() -> c.connectInBackground(connect, retryMillis),
        "latchkey-redis-connect");
    t.setDaemon(true);
    c.connector = t;
    t.start();
    return c;
  }

  private void connectInBackground(Supplier<? extends StatefulConnection<String, String>> connect,
      long retryMillis) {
    while (true) {
      try {
        Thread.sleep(retryMillis);
      } catch (InterruptedException e) {
        return; // closed
      }
      synchronized (this) {
        if (closed) return;
      }
      StatefulConnection<String, String> opened;
      StatefulConnection<String, String> openedUsage;
      try {
        opened = connect.get();
      } catch (RuntimeException e) {
        System.getLogger(Connections.class.getName()).log(System.Logger.Level.DEBUG,
            "Redis still unreachable: " + Await.unavailable("connect", e).getMessage());
        continue;
      }
      try {
        openedUsage = connect.get();
      } catch (RuntimeException e) {
        opened.closeAsync();
        System.getLogger(Connections.class.getName()).log(System.Logger.Level.DEBUG,
            "Redis still unreachable: " + Await.unavailable("connect", e).getMessage());
        continue;
      }
      synchronized (this) {
        if (closed) {
          opened.closeAsync();
          openedUsage.closeAsync();
          return;
        }
        owned.add(opened);
        owned.add(openedUsage);
        if (opened instanceof StatefulRedisClusterConnection<String, String> c) {
          StatefulRedisClusterConnection<String, String> u =
              (StatefulRedisClusterConnection<String, String>) openedUsage;
          cluster = c;
          usageCluster = u;
          usage = u.async();
          commands = c.async();
        } else {
          usage = ((StatefulRedisConnection<String, String>) openedUsage).async();
          commands = ((StatefulRedisConnection<String, String>) opened).async();
        }
        connector = null;
        return;
      }
    }
  }

  /**
   * The commands, or {@link io.latchkey.StoreUnavailableException} ({@code not connected}) if the
   * store has not reached Redis yet.
   */
  RedisClusterAsyncCommands<String, String> commands(String what) {
    RedisClusterAsyncCommands<String, String> c = commands;
    if (c == null) throw Await.unavailable(what, new RedisException("Currently not connected"));
    return c;
  }

  /** The usage writes' commands, like {@link #commands(String)}. */
  RedisClusterAsyncCommands<String, String> usage(String what) {
    RedisClusterAsyncCommands<String, String> c = usage;
    if (c == null) throw Await.unavailable(what, new RedisException("Currently not connected"));
    return c;
  }

  /**
   * The state of the node connection a command on {@code key} goes through in a cluster; {@link
   * Link#OPENING} (unknown) for a standalone connection, where Lettuce's {@code REJECT_COMMANDS}
   * decides (its {@code isOpen()} can report a connection open while it still rejects commands).
   */
  Link link(String key) {
    return link(cluster, key);
  }

  /** {@link #link(String)} for the usage writes' connection. */
  Link usageLink(String key) {
    return link(usageCluster, key);
  }

  private static Link link(
      @Nullable StatefulRedisClusterConnection<String, String> cluster, String key) {
    if (cluster == null) return Link.OPENING;
    RedisClusterNode node = cluster.getPartitions().getMasterBySlot(SlotHash.getSlot(key));
    if (node == null) return Link.OPENING; // a topology refresh will tell; Lettuce decides
    RedisURI uri = node.getUri();
    // The same connection (write intent, by host and port) that Lettuce routes the slot through.
    CompletableFuture<StatefulRedisConnection<String, String>> f =
        cluster.getConnectionAsync(uri.getHost(), uri.getPort());
    if (!f.isDone() || f.isCompletedExceptionally()) return Link.OPENING;
    return f.join().isOpen() ? Link.UP : Link.DOWN;
  }

  void close() {
    List<AutoCloseable> toClose;
    synchronized (this) {
      closed = true;
      if (connector != null) connector.interrupt();
      toClose = new ArrayList<>(owned);
    }
    closeAll(toClose);
  }

  static void closeAll(List<AutoCloseable> owned) {
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        System.getLogger(Connections.class.getName())
            .log(System.Logger.Level.DEBUG, "closing a Redis resource failed", e);
      }
    }
  }
}
