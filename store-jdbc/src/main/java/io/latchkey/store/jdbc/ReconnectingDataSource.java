package io.latchkey.store.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The driver connections under the pool the store creates for PostgreSQL. While the database
 * cannot be reached, one request for a connection keeps trying every {@link #RETRY_MILLIS} ms
 * instead of failing: HikariCP sleeps between failed attempts, doubling the pause up to 5 s, so
 * after an outage of a few seconds the pool would come back up to 5 s after the database did.
 * Retrying here keeps that pause at its first step.
 *
 * <p>Only once the store has started ({@link #started()}): a database that is down when the
 * store is built makes {@code build()} fail after the connection timeout, as before. {@link
 * #close()} ends a waiting attempt, so that closing the pool does not wait for it.
 */
final class ReconnectingDataSource implements DataSource {
  static final long RETRY_MILLIS = 100;
  /** After this long a request gives up; the pool asks again 10 ms later. */
  private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final String url;
  private final Properties properties;
  private volatile boolean started;
  private volatile boolean closed;
  private volatile int loginTimeoutSeconds;

  ReconnectingDataSource(String url, Properties properties) {
    this.url = url;
    this.properties = properties;
  }

  void started() {
    started = true;
  }

  void close() {
    closed = true;
  }

  @Override
  public Connection getConnection() throws SQLException {
    long giveUpAt = System.nanoTime() + GIVE_UP_NANOS;
    while (true) {
      try {
        return DriverManager.getConnection(url, properties);
      } catch (SQLException e) {
        if (!started || closed || !cannotConnect(e) || System.nanoTime() - giveUpAt > 0) throw e;
        try {
          Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** Refused, timed out, or the server is starting or shutting down: worth another try soon. */
  private static boolean cannotConnect(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("08") || state.equals("57P03")
        || state.equals("57P01"));
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the store's pool passes no credentials");
  }

  @Override
  public @Nullable PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // DriverManager logs on its own
  }

  @Override
  public void setLoginTimeout(int seconds) {
    loginTimeoutSeconds = seconds; // the driver's own loginTimeout property bounds each attempt
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeoutSeconds;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) return iface.cast(this);
    throw new SQLException("not a wrapper of " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
