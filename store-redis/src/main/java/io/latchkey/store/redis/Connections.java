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
  private final List<AutoCloseable> owned; // guarded by this
  private boolean closed; // guarded by this
  private @Nullable Thread connector; // guarded by this

  /**
   * @param pubSub opens the feed's connection, or null when the store has no feed
   * @param owned released by {@link #close()} in reverse order
   */
  private Connections(String mode, @Nullable RedisClusterAsyncCommands<String, String> commands,
      @Nullable StatefulRedisClusterConnection<String, String> cluster, boolean failFast,
      @Nullable Supplier<StatefulRedisPubSubConnection<String, String>> pubSub, boolean ownsPubSub,
      List<AutoCloseable> owned) {
    this.mode = mode;
    this.commands = commands;
    this.cluster = cluster;
    this.failFast = failFast;
    this.pubSub = pubSub;
    this.ownsPubSub = ownsPubSub;
    this.owned = new ArrayList<>(owned);
  }

  static Connections standalone(StatefulRedisConnection<String, String> connection,
      @Nullable Supplier<StatefulRedisPubSubConnection<String, String>> pubSub, boolean ownsPubSub,
      List<AutoCloseable> owned) {
    return new Connections("standalone", connection.async(), null, false, pubSub, ownsPubSub,
        owned);
  }

  static Connections cluster(StatefulRedisClusterConnection<String, String> connection,
      boolean failFast, @Nullable Supplier<StatefulRedisPubSubConnection<String, String>> pubSub,
      boolean ownsPubSub, List<AutoCloseable> owned) {
    return new Connections("cluster", connection.async(), connection, failFast, pubSub,
        ownsPubSub, owned);
  }

  /**
   * A store built while Redis could not be reached: every call fails at once ({@code not
   * connected}) until a background thread, trying every {@code retryMillis}, has connected. Then
   * the store works as if it had connected in {@code build()}.
   */
  static Connections pending(String mode, boolean failFast,
      Supplier<? extends StatefulConnection<String, String>> connect,
      @Nullable Supplier<StatefulRedisPubSubConnection<String, String>> pubSub, boolean ownsPubSub,
      List<AutoCloseable> owned, long retryMillis) {
    Connections c = new Connections(mode, null, null, failFast, pubSub, ownsPubSub, owned);
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
      try {
        opened = connect.get();
      } catch (RuntimeException e) {
        System.getLogger(Connections.class.getName()).log(System.Logger.Level.DEBUG,
            "Redis still unreachable: " + Await.unavailable("connect", e).getMessage());
        continue;
      }
      synchronized (this) {
        if (closed) {
          opened.closeAsync();
          return;
        }
        owned.add(opened);
        if (opened instanceof StatefulRedisClusterConnection<String, String> c) {
          cluster = c;
          commands = c.async();
        } else {
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

  /**
   * The state of the node connection a command on {@code key} goes through in a cluster; {@link
   * Link#OPENING} (unknown) for a standalone connection, where Lettuce's {@code REJECT_COMMANDS}
   * decides (its {@code isOpen()} can report a connection open while it still rejects commands).
   */
  Link link(String key) {
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
