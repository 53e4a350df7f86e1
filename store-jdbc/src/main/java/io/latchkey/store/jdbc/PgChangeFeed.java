package io.latchkey.store.jdbc;

import io.latchkey.StoreUnavailableException;
import io.latchkey.spi.ChangeListener;
import io.latchkey.spi.ChangeMessages;
import io.latchkey.spi.TokenStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
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
 *
 * <p>A connection can die without the socket noticing (a firewall drops it silently), and a
 * LISTEN connection only ever reads; so every {@link #PROBE_INTERVAL_MILLIS} the feed sends an
 * empty query and reconnects if it gets no answer.
 */
final class PgChangeFeed implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(PgChangeFeed.class.getName());
  static final long PROBE_INTERVAL_MILLIS = 5_000;
  /** At most this long between the database's return and the feed's (then a reset). */
  private static final long MAX_BACKOFF_MILLIS = 500;

  /** Opens the feed's connection. */
  interface Connector {
    Connection connect() throws SQLException;
  }

  /**
   * Connects through the driver, outside the store's pool, so the feed never takes a connection
   * that requests wait for. The connection names itself to the server ({@code application_name}
   * in {@code pg_stat_activity}) as {@code applicationName}.
   */
  static Connector driverConnector(String url, @Nullable String user, @Nullable String password,
      Duration connectTimeout, String applicationName) {
    Properties props = new Properties();
    if (user != null) props.setProperty("user", user);
    if (password != null) props.setProperty("password", password);
    long seconds = Math.max(1, (connectTimeout.toMillis() + 999) / 1000);
    props.setProperty("connectTimeout", Long.toString(seconds));
    props.setProperty("loginTimeout", Long.toString(seconds));
    props.setProperty("tcpKeepAlive", "true");
    props.setProperty("ApplicationName", applicationName);
    return () -> DriverManager.getConnection(url, props);
  }

  private final Connector connector;
  private final String channel;
  private final long listenWaitMillis;
  private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
  private final CountDownLatch listening = new CountDownLatch(1);
  private volatile boolean running;
  private @Nullable Thread thread;
  private boolean closed;

  /**
   * @param listenWait how long {@link #subscribe} waits for the feed's first {@code LISTEN}
   */
  PgChangeFeed(Connector connector, String channel, Duration listenWait) {
    this.connector = connector;
    this.channel = channel;
    this.listenWaitMillis = Math.max(1, listenWait.toMillis());
  }

  /**
   * Adds a subscriber; the first one starts the feed. Returns once the feed has listened (at once
   * after that, even while it reconnects: the subscriber then gets {@link
   * ChangeListener#feedReset()} when it is back).
   *
   * @throws StoreUnavailableException if the feed has not listened within the wait given to the
   *     constructor: the database cannot be reached. The feed keeps trying; subscribe again later.
   */
  TokenStore.Subscription subscribe(ChangeListener listener) {
    synchronized (this) {
      if (closed) throw new StoreUnavailableException("JDBC token store is closed", null);
      listeners.add(listener);
      if (thread == null) {
        running = true;
        Thread t = new Thread(this::run, "latchkey-pg-feed-" + channel);
        t.setDaemon(true);
        thread = t;
        t.start();
      }
    }
    boolean listened;
    try {
      listened = listening.await(listenWaitMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      listened = false;
    }
    if (!listened) {
      listeners.remove(listener);
      throw new StoreUnavailableException("JDBC change feed " + channel
          + " unreachable: not listening after " + listenWaitMillis + " ms", null);
    }
    return () -> listeners.remove(listener);
  }

  private void run() {
    boolean reconnect = false;
    long backoffMillis = 100;
    while (running) {
      boolean listened = false;
      try (Connection c = connector.connect()) {
        // A session inside a transaction receives no notifications, and a host's pool may hand
        // out connections without auto-commit (it restores the setting when we give it back).
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN " + channel);
        }
        listening.countDown();
        listened = true;
        if (reconnect) {
          for (ChangeListener l : listeners) {
            try {
              l.feedReset();
            } catch (RuntimeException e) {
              LOG.log(System.Logger.Level.WARNING, "change listener failed on reset: " + e);
            }
          }
        }
        reconnect = true;
        backoffMillis = 100;
        PGConnection pg = c.unwrap(PGConnection.class);
        long nextProbe = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROBE_INTERVAL_MILLIS);
        while (running) {
          PGNotification[] notifications = pg.getNotifications(250);
          if (notifications != null) {
            for (PGNotification n : notifications) deliver(n.getParameter());
          }
          if (System.nanoTime() - nextProbe > 0) {
            if (!c.isValid(2)) throw new SQLException("feed connection stopped answering", "08006");
            nextProbe = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROBE_INTERVAL_MILLIS);
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (!running) break;
        reconnect = true;
        if (listened) {
          for (ChangeListener l : listeners) {
            try {
              l.feedInterrupted();
            } catch (RuntimeException re) {
              LOG.log(System.Logger.Level.WARNING, "change listener failed on interruption: " + re);
            }
          }
        }
        // Once per outage: the feed retries every 500 ms at most, and a host's log must not
        // fill with one line per attempt (nor a command-line tool's stderr).
        LOG.log(listened ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
            "change feed " + channel + (listened ? " lost its connection (" : " cannot connect (")
                + e.getMessage() + "); reconnecting in " + backoffMillis + " ms");
        try {
          Thread.sleep(backoffMillis);
        } catch (InterruptedException ie) {
          break;
        }
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
      }
    }
  }

  /**
   * A notification's payload: the id, and since migration V8 the commit time after an '@'; or
   * {@code "!w <watermark_ms> <workspace>"} from the watermark trigger (V5).
   */
  private void deliver(String payload) {
    if (payload.startsWith("!w ")) {
      deliverWatermark(payload);
      return;
    }
    for (ChangeListener l : listeners) {
      try {
        ChangeMessages.deliver(l, payload);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "change listener failed: " + e);
      }
    }
  }

  private void deliverWatermark(String payload) {
    int space = payload.indexOf(' ', 3);
    java.time.Instant watermark;
    String workspace;
    try {
      watermark = java.time.Instant.ofEpochMilli(Long.parseLong(payload.substring(3, space)));
      workspace = payload.substring(space + 1);
    } catch (RuntimeException malformed) {
      // Not from our trigger: nothing can be trusted, as after a lost notification.
      for (ChangeListener l : listeners) l.feedReset();
      return;
    }
    for (ChangeListener l : listeners) {
      try {
        l.revocationWatermarkRaised(workspace, watermark);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "change listener failed: " + e);
      }
    }
  }

  /** Stops the feed thread and closes its connection; idempotent. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      running = false;
      listeners.clear();
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
