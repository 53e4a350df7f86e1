package io.latchkey.store.jdbc;

import io.latchkey.InvalidArgumentException;
import java.util.Locale;

/** The few places where PostgreSQL and H2 differ. Everything else is shared SQL. */
enum Dialect {
  POSTGRESQL("postgresql", "CAST(? AS JSONB)", true),
  H2("h2", "?", false);

  /** The folder of this dialect's migration scripts. */
  final String migrations;
  /** How a JSON parameter is written in SQL. */
  final String jsonParameter;
  /** Whether LISTEN/NOTIFY gives a change feed. */
  final boolean changeFeed;

  Dialect(String migrations, String jsonParameter, boolean changeFeed) {
    this.migrations = migrations;
    this.jsonParameter = jsonParameter;
    this.changeFeed = changeFeed;
  }

  static Dialect of(String databaseProductName) {
    String name = databaseProductName.toLowerCase(Locale.ROOT);
    if (name.contains("postgresql")) return POSTGRESQL;
    if (name.equals("h2")) return H2;
    throw new InvalidArgumentException("dataSource", "is a " + databaseProductName
        + " database; JdbcTokenStore supports PostgreSQL and H2");
  }
}
