package io.latchkey.store.jdbc;

import io.latchkey.StoreUnavailableException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jdbi.v3.core.ConnectionException;

/**
 * Turns database failures into {@link StoreUnavailableException}. Driver messages are kept only for
 * connection failures (they name hosts and ports); for statement failures only the SQLState is
 * kept, because some drivers quote parameter values, and a parameter may be a hash.
 */
final class Failures {
  private Failures() {}

  static StoreUnavailableException unavailable(String operation, Throwable e) {
    SQLException sql = sqlCause(e);
    String state = sql == null ? null : sql.getSQLState();
    boolean connection = e instanceof ConnectionException
        || sql instanceof SQLTransientConnectionException
        || (state != null && state.startsWith("08"));
    if (connection) {
      String detail = sql != null && sql.getMessage() != null ? sql.getMessage() : e.toString();
      return new StoreUnavailableException(
          "JDBC token store unreachable during " + operation + ": " + detail, e);
    }
    return new StoreUnavailableException("JDBC token store failed during " + operation
        + (state == null ? "" : " (SQLState " + state + ")"), null);
  }

  static boolean isUniqueViolation(Throwable e) {
    SQLException sql = sqlCause(e);
    return sql != null && "23505".equals(sql.getSQLState());
  }

  private static SQLException sqlCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) return s;
    }
    return null;
  }
}
