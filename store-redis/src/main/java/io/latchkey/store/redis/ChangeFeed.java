package io.latchkey.store.redis;

import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.ChangeMessages;
import io.latchkey.spi.TokenStore;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The change feed: one pub/sub connection per store, subscribed to the store's channel on first
 * use, fanning each published id out to the registered listeners.
 *
 * <p>Lettuce reconnects a dropped connection and subscribes again on its own; every subscription
 * confirmation after the first therefore means that messages may have been missed, and the
 * listeners get {@link ChangeListener#feedReset()}; when the connection drops they get {@link
 * ChangeListener#feedInterrupted()}. Plain {@code PUBLISH} reaches subscribers on
 * every node of a Redis Cluster, so the same code serves both modes.
 *
 * <p>Listeners run on the feed's own thread, in the order of publication, never on Lettuce's event
 * loop: a listener that waits for a lock held by a thread that waits for a Redis reply (a cache
 * loading the very record that changed) would otherwise stall the loop that delivers that reply.
 */
final class ChangeFeed extends RedisPubSubAdapter<String, String> {
  private static final System.Logger LOG = System.getLogger(ChangeFeed.class.getName());

  private final String channel;
  private final Supplier<StatefulRedisPubSubConnection<String, String>> opener;
  private final boolean ownsConnection;
  private final long timeoutNanos;
  private final List<Registration> registrations = new CopyOnWriteArrayList<>();
  private final AtomicBoolean confirmedOnce = new AtomicBoolean();
  private final Object lock = new Object();
  private final ExecutorService delivery;
  private @Nullable StatefulRedisPubSubConnection<String, String> connection; // guarded by lock
  private boolean closed; // guarded by lock

  /**
   * @param opener opens (or hands over) the pub/sub connection
   * @param ownsConnection whether {@link #close()} closes it; a host's connection is only
   *     unsubscribed from our channel
   */
  ChangeFeed(String channel, Supplier<StatefulRedisPubSubConnection<String, String>> opener,
      boolean ownsConnection, long timeoutNanos) {
    this.channel = channel;
    this.opener = opener;
    this.ownsConnection = ownsConnection;
    this.timeoutNanos = timeoutNanos;
    this.delivery = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "latchkey-redis-feed " + channel);
      t.setDaemon(true);
      return t;
    });
  }

  /** Registers a listener, subscribing to the channel first if this is the first one. */
  TokenStore.Subscription subscribe(ChangeListener listener) {
    Registration registration = new Registration(listener);
    synchronized (lock) {
      if (closed) throw Await.unavailable("change-feed subscription", new IllegalStateException("closed"));
      if (connection == null) connection = connect();
      registrations.add(registration);
    }
    return registration;
  }

  private StatefulRedisPubSubConnection<String, String> connect() {
    StatefulRedisPubSubConnection<String, String> c;
    try {
      c = opener.get();
    } catch (RuntimeException e) {
      throw Await.unavailable("change-feed subscription", e);
    }
    c.addListener(this);
    if (c instanceof RedisChannelHandler<?, ?> handler) handler.addListener(stateListener);
    try {
      Await.reply(c.async().subscribe(channel), timeoutNanos, "change-feed subscription");
      return c;
    } catch (RuntimeException e) {
      c.removeListener(this);
      if (c instanceof RedisChannelHandler<?, ?> handler) handler.removeListener(stateListener);
      if (ownsConnection) c.closeAsync();
      throw e;
    }
  }

  /** Tells the listeners that the feed is down until their next {@code feedReset()}. */
  private final RedisConnectionStateListener stateListener = new RedisConnectionStateListener() {
    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      deliver(() -> {
        for (Registration r : registrations) {
          try {
            r.listener.feedInterrupted();
          } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "change listener failed on interruption", e);
          }
        }
      });
    }
  };

  @Override
  public void message(String channel, String message) {
    if (!this.channel.equals(channel)) return;
    if (message.startsWith(WATERMARK)) {
      watermark(message);
      return;
    }
    // "<id>@<committed millis>" (ChangeMessages); a bare id from a store of an older version
    String tokenId = ChangeMessages.tokenId(message);
    deliver(() -> {
      for (Registration r : registrations) {
        try {
          ChangeMessages.deliver(r.listener, message);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "change listener failed on token " + tokenId, e);
        }
      }
    });
  }

  /**
   * {@code !w <watermark ms> <workspace>}, published by the raise script (the PostgreSQL feed's
   * convention); token ids are base62, so no change message starts with {@code !}.
   */
  private static final String WATERMARK = "!w ";

  private void watermark(String message) {
    int space = message.indexOf(' ', WATERMARK.length());
    java.time.Instant watermark;
    String workspace;
    try {
      watermark = java.time.Instant.ofEpochMilli(
          Long.parseLong(message.substring(WATERMARK.length(), space)));
      workspace = message.substring(space + 1);
    } catch (RuntimeException malformed) {
      // Not from our script: nothing can be trusted, as after a lost message.
      deliver(() -> {
        for (Registration r : registrations) {
          try {
            r.listener.feedReset();
          } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "change listener failed on feed reset", e);
          }
        }
      });
      return;
    }
    deliver(() -> {
      for (Registration r : registrations) {
        try {
          r.listener.revocationWatermarkRaised(workspace, watermark);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "change listener failed on a watermark", e);
        }
      }
    });
  }

  @Override
  public void subscribed(String channel, long count) {
    if (!this.channel.equals(channel) || !confirmedOnce.getAndSet(true)) return;
    // Subscribed again after a reconnect: what was published meanwhile is lost.
    deliver(() -> {
      for (Registration r : registrations) {
        try {
          r.listener.feedReset();
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "change listener failed on feed reset", e);
        }
      }
    });
  }

  private void deliver(Runnable task) {
    try {
      delivery.execute(task);
    } catch (RejectedExecutionException e) {
      // closed: nobody is listening any more
    }
  }

  void close() {
    StatefulRedisPubSubConnection<String, String> c;
    synchronized (lock) {
      closed = true;
      registrations.clear();
      c = connection;
      connection = null;
    }
    delivery.shutdown();
    if (c == null) return;
    c.removeListener(this);
    if (c instanceof RedisChannelHandler<?, ?> handler) handler.removeListener(stateListener);
    try {
      if (ownsConnection) {
        c.close();
      } else {
        c.async().unsubscribe(channel);
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "closing the change feed failed", e);
    }
  }

  /** One listener's subscription; closing it twice is harmless. */
  private final class Registration implements TokenStore.Subscription {
    final ChangeListener listener;

    Registration(ChangeListener listener) {
      this.listener = listener;
    }

    @Override
    public void close() {
      registrations.remove(this);
    }
  }
}
