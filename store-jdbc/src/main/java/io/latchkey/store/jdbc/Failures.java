package io.latchkey.store.jdbc;

import io.latchkey.StoreUnavailableException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jdbi.v3.core.ConnectionException;
import org.jspecify.annotations.Nullable;

/**
 * Turns database failures into {@link StoreUnavailableException}.
 *
 * <p>A token operation binds a hash, and some drivers quote bound values or whole rows in their
 * messages (PostgreSQL's "Failing row contains (…)", H2's "Value too long … 'value'"). So for a
 * failed statement only the SQLState is kept, and no cause; for a failed connection the driver's
 * message is kept (it names a host and port, never a value) with the bare {@link SQLException} as
 * the cause, never Jdbi's wrapper, which can render the statement's arguments.
 */
final class Failures {
  private Failures() {}

  /** A failure of a token operation, which may have bound a hash. */
  static StoreUnavailableException unavailable(String operation, Throwable e) {
    SQLException sql = sqlCause(e);
    if (isConnectionFailure(e, sql)) {
      return new StoreUnavailableException(
          "JDBC token store unreachable during " + operation + ": " + detail(e, sql), sql);
    }
    String state = sql == null ? null : sql.getSQLState();
    return new StoreUnavailableException("JDBC token store failed during " + operation
        + (state == null ? "" : " (SQLState " + state + ")"), null);
  }

  /**
   * A failure while starting: detecting the dialect or migrating. Those statements bind no token
   * data, so the driver's message and cause are kept: a host needs them to fix a grant or a URL.
   */
  static StoreUnavailableException startFailed(Throwable e) {
    SQLException sql = sqlCause(e);
    String what = isConnectionFailure(e, sql) ? "unreachable" : "failed";
    return new StoreUnavailableException(
        "JDBC token store " + what + " during start: " + detail(e, sql), sql != null ? sql : e);
  }

  static boolean isUniqueViolation(Throwable e) {
    SQLException sql = sqlCause(e);
    return sql != null && "23505".equals(sql.getSQLState());
  }

  /**
   * Whether a statement failed because the connection it ran on was dropped under it (the server
   * terminated the backend, or the socket was reset), as opposed to a timeout, a refused connect
   * or a failed statement: another connection may well succeed at once.
   */
  static boolean isDroppedConnection(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.SocketTimeoutException) return false;
    }
    SQLException sql = sqlCause(e);
    String state = sql == null ? null : sql.getSQLState();
    return "57P01".equals(state) || "08006".equals(state) || "08003".equals(state);
  }

  /**
   * Whether a failed connect means the database could not be reached (refused, timed out,
   * starting up), rather than that it refused us (a wrong password, an unknown database): only
   * the first may go away by itself.
   */
  static boolean isUnreachable(Throwable e) {
    boolean unreachable = false;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        if (state.startsWith("28") || state.startsWith("3D")) return false;
        if (state.startsWith("08") || state.equals("57P03")) unreachable = true;
      }
      if (t instanceof java.net.ConnectException) unreachable = true;
    }
    return unreachable;
  }

  private static boolean isConnectionFailure(Throwable e, @Nullable SQLException sql) {
    String state = sql == null ? null : sql.getSQLState();
    return e instanceof ConnectionException
        || sql instanceof SQLTransientConnectionException
        || (state != null && state.startsWith("08"));
  }

  private static String detail(Throwable e, @Nullable SQLException sql) {
    return sql != null && sql.getMessage() != null ? sql.getMessage() : e.toString();
  }

  private static @Nullable SQLException sqlCause(@Nullable Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) return s;
    }
    return null;
  }
}
