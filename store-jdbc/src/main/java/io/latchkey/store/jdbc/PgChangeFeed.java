package io.latchkey.store.jdbc;

import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.TokenStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * LISTENs on the store's channel over one dedicated connection and hands every notified id to the
 * subscribers. After a failure it reconnects with back-off and tells subscribers to drop
 * everything ({@link ChangeListener#feedReset()}), since notifications sent meanwhile are lost.
 */
final class PgChangeFeed implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PgChangeFeed.class.getName());

  interface Connector {
    Connection connect() throws SQLException;
  }

  private final Connector connector;
  private final String channel;
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  private final CountDownLatch listening = new CountDownLatch(1);
  private volatile boolean running;
  private @Nullable Thread thread;

  PgChangeFeed(Connector connector, String channel) {
    this.connector = connector;
    this.channel = channel;
  }

  /** Adds a subscriber; the first one starts the feed and waits (up to 5 s) until it listens. */
  TokenStore.Subscription subscribe(ChangeListener listener) {
    listeners.add(listener);
    synchronized (this) {
      if (thread == null) {
        running = true;
        Thread t = new Thread(this::run, "latchkey-pg-feed-" + channel);
        t.setDaemon(true);
        thread = t;
        t.start();
      }
    }
    try {
      if (!listening.await(5, TimeUnit.SECONDS)) {
        LOG.log(System.Logger.Level.WARNING, "change feed " + channel
            + " not connected yet; cached entries live at most their time-to-live until it is");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return () -> listeners.remove(listener);
  }

  private void run() {
    boolean reconnect = false;
    long backoffMillis = 100;
    while (running) {
      try (Connection c = connector.connect()) {
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN " + channel);
        }
        listening.countDown();
        if (reconnect) {
          for (ChangeListener l : listeners) l.feedReset();
        }
        reconnect = true;
        backoffMillis = 100;
        PGConnection pg = c.unwrap(PGConnection.class);
        while (running) {
          PGNotification[] notifications = pg.getNotifications(250);
          if (notifications == null) continue;
          for (PGNotification n : notifications) {
            for (ChangeListener l : listeners) {
              try {
                l.tokenChanged(n.getParameter());
              } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "change listener failed: " + e);
              }
            }
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (!running) break;
        reconnect = true;
        LOG.log(System.Logger.Level.WARNING, "change feed " + channel + " lost its connection ("
            + e.getMessage() + "); reconnecting in " + backoffMillis + " ms");
        try {
          Thread.sleep(backoffMillis);
        } catch (InterruptedException ie) {
          break;
        }
        backoffMillis = Math.min(backoffMillis * 2, 5_000);
      }
    }
  }

  @Override
  public void close() {
    running = false;
    listeners.clear();
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
