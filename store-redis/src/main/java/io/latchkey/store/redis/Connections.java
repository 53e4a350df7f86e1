package io.latchkey.store.redis;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What a store talks through, whatever the mode: the command interface that standalone and
 * cluster connections share, how to open the change feed's connection, and what the store created
 * and must therefore release.
 */
final class Connections {
  final RedisClusterAsyncCommands<String, String> commands;
  /** Usage writes: a connection of their own when the store opens its connections. */
  final RedisClusterAsyncCommands<String, String> usage;
  final @Nullable Supplier<StatefulRedisPubSubConnection<String, String>> pubSub;
  final boolean ownsPubSub;
  final String mode;
  private final List<AutoCloseable> owned;

  /**
   * @param pubSub opens the feed's connection, or null when the store has no feed
   * @param owned released by {@link #close()} in reverse order
   */
  Connections(String mode, RedisClusterAsyncCommands<String, String> commands,
      RedisClusterAsyncCommands<String, String> usage,
      @Nullable Supplier<StatefulRedisPubSubConnection<String, String>> pubSub, boolean ownsPubSub,
      List<AutoCloseable> owned) {
    this.mode = mode;
    this.commands = commands;
    this.usage = usage;
    this.pubSub = pubSub;
    this.ownsPubSub = ownsPubSub;
    this.owned = new ArrayList<>(owned);
  }

  void close() {
    closeAll(owned);
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
